// Workgroup tree reductions in WGSL, shared by the softmax and cross-entropy kernels.
/** Threads of a workgroup tree. */
export const TREE = 256;

/**
 * WGSL: treeMax (NaN wins) and treeSum over a workgroup of TREE threads, in the workgroup arrays partA and
 * partB; the result reaches every thread, and a barrier after reading it lets a kernel call them again
 * (barriers: call them from uniform control flow).
 */
export const TREE_FNS = `var<workgroup> partA: array<f32, ${TREE}>;
var<workgroup> partB: array<f32, ${TREE}>;
fn treeMax(t: u32, v: f32) -> f32 {
  partA[t] = v;
  workgroupBarrier();
  for (var s = ${TREE / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) {
      let a = partA[t];
      let b = partA[t + s];
      if (b != b || b > a) { partA[t] = b; }
    }
    workgroupBarrier();
  }
  let r = partA[0];
  workgroupBarrier();
  return r;
}
fn treeSum(t: u32, v: f32) -> f32 {
  partB[t] = v;
  workgroupBarrier();
  for (var s = ${TREE / 2}u; s > 0u; s = s >> 1u) {
    if (t < s) { partB[t] = partB[t] + partB[t + s]; }
    workgroupBarrier();
  }
  let r = partB[0];
  workgroupBarrier();
  return r;
}`;
