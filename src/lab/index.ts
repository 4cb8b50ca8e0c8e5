// gl.lab: the memory lab (timeline, checkpoint policies, compressed activations), its training methods, and the instruments (circuit diagrams).
export * as memory from './memory/index.js';
export * as frozen from './frozen/index.js';
export * as snn from './snn/index.js';
export { diagram } from './diagram/index.js';
export { flopsOf, wireLabel } from './diagram/index.js';
export type {
  Diagram,
  DiagramOp,
  DiagramInput,
  DiagramWire,
  DiagramSaved,
  DiagramOptions,
  WireSource,
  FlopCount,
  FlopContext,
  FlopKind,
  AxisNames,
} from './diagram/index.js';
export * as info from './info/index.js';
export * as coherence from './coherence/index.js';
