// The parity benchmark's two models, layer for layer the same as build() in torch_parity.py.
import * as gl from '../../src/index.js';

const { nn } = gl;

/**
 * MLP 784-256-128-10 with ReLU, or the small CNN conv(1→32,3)-ReLU-maxpool2-conv(32→64,3)-ReLU-
 * maxpool2-FC(1600→128)-ReLU-FC(128→10); PyTorch's default initialisation in both systems.
 */
export function buildParityModel(kind: 'mlp' | 'cnn'): gl.nn.Sequential {
  if (kind === 'mlp') {
    return new nn.Sequential(
      new nn.Flatten(),
      new nn.Linear(784, 256),
      new nn.ReLU(),
      new nn.Linear(256, 128),
      new nn.ReLU(),
      new nn.Linear(128, 10),
    );
  }
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(1600, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}
