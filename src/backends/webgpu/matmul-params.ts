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
