// The parameter block every matmul shader reads, and the WGSL that finds a workgroup's batch offsets in it.

/**
 * WGSL (inside `main`, after `wid` is known) that sets `batch` (the product this workgroup computes)
 * and `aBase` / `bBase` (element offsets of its A and B) from the parameters every matmul shader
 * shares: [M, N, K, batch rank, A/B/C offsets, A/B row and column strides, first batch, batch shape,
 * A batch strides, B batch strides]. A batch stride of 0 broadcasts that operand.
 */
export const MATMUL_BATCH_BASES = `let br = prm[3];
  let batch = i32(wid.z) + prm[11];
  var aBase = prm[4];
  var bBase = prm[5];
  var rem = batch;
  for (var d = br - 1; d >= 0; d = d - 1) {
    let sz = prm[12 + d];
    let c = rem % sz;
    rem = rem / sz;
    aBase = aBase + c * prm[12 + br + d];
    bBase = bBase + c * prm[12 + 2 * br + d];
  }`;

/**
 * The start of `main` in the two scalar-load matmul shaders (narrow, wide): sizes, batch offsets, C's
 * offset, A/B strides, and this thread's place (`tx`, `ty` in a 16x16 grid) in its `tile`-wide tile of C
 * (`row0`, `col0`).
 */
export function scalarMatmulPrologue(tile: number): string {
  return `let M = prm[0]; let N = prm[1]; let K = prm[2];
  ${MATMUL_BATCH_BASES}
  let cBase = prm[6] + batch * M * N;
  let aRs = prm[7]; let aCs = prm[8]; let bRs = prm[9]; let bCs = prm[10];
  let tid = i32(lid.x);
  let tx = tid % 16;
  let ty = tid / 16;
  let row0 = i32(wid.y) * ${tile};
  let col0 = i32(wid.x) * ${tile};`;
}
