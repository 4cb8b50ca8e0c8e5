// gl.lab: the memory lab (timeline, checkpoint policies, compressed activations) and its training methods.
export * as memory from './memory/index.js';
export * as frozen from './frozen/index.js';
export * as snn from './snn/index.js';
