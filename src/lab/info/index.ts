// gl.lab.info: the information plane of paper 38 (binned mutual information, the 12-bit task, gradient SNR).
export { entropyBits, discreteMI, binRows, infoPoint, logSpacedEpochs, gradientSnr } from './mi.js';
export type { BinOptions, InfoPoint, GradientSnr } from './mi.js';
export { twelveBitTask, twelveBitScore, TWELVE_BIT_THRESHOLD } from './twelve-bit.js';
export type { TwelveBitTask } from './twelve-bit.js';
