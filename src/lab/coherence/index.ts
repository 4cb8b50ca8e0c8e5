// gl.lab.coherence: gradient coherence and robust aggregation of per-example gradients (paper 27).
export { CoherenceAccumulator, mCoherence } from './coherence.js';
export { medianOfMeans, winsorizedMean } from './aggregate.js';
export { medianOfMeansTensor, winsorizedMeanTensor } from './aggregate-tensor.js';
export { perExampleGradients } from './per-example.js';
export { modelCoherence, type ModelCoherence } from './probe.js';
