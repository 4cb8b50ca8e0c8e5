// gl.lab.frozen: training with a frozen backbone — LoRA adapters and Ladder Side-Tuning.
export { LoRALinear, LoRAConv2d, loraAttention, applyLoRA } from './lora.js';
export type { LoRAOptions, ApplyLoRAOptions, LoRAAttention } from './lora.js';
export { LadderSideTuning } from './lst.js';
export type { LSTOptions } from './lst.js';
export { BottleneckAdapter } from './adapter.js';
