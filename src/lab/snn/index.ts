// gl.lab.snn: LIF neurons with surrogate-gradient spikes, and BPTT / SLTT / SLTT-K training through time.
export { spike, LIF } from './lif.js';
export type { Surrogate, LIFOptions } from './lif.js';
export { timeStep, resetNeurons } from './train.js';
export type { SpikingNet, TimeStepOptions } from './train.js';
export { savedBytesPerT, backwardWork, perStepWithoutDetach } from './measure.js';
