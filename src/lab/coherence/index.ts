// gl.lab.coherence: gradient coherence and robust aggregation of per-example gradients (paper 27).
export { CoherenceAccumulator, mCoherence } from './coherence.js';
export { medianOfMeans, winsorizedMean } from './aggregate.js';
export { perExampleGradients } from './per-example.js';
