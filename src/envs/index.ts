// gl.envs: reinforcement-learning environments in TypeScript (CartPole-v1, single and batched in lockstep).
export { CartPole, type StepOutcome } from './cartpole.js';
export { CartPoleBatch } from './cartpole-batch.js';
export { CARTPOLE } from './cartpole-physics.js';
export { EnvStateError } from './errors.js';
