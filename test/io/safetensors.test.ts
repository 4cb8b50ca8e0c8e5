// safetensors: byte-exact output against the Rust library's own test vectors, round trips, dtype
// conversions on files laid out by test/fixtures/data/generate_data_fixtures.py, corrupt files, atomic writes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const FIX = path.join(import.meta.dirname, '..', 'fixtures', 'data');
const enc = (s: string): number[] => [...Buffer.from(s, 'utf8')];
const le64 = (n: number): number[] => [n, 0, 0, 0, 0, 0, 0, 0];
const f32 = (...v: number[]): number[] => [...new Uint8Array(new Float32Array(v).buffer)];

describe('serializeSafetensors: byte layout', () => {
  // Expected bytes copied from huggingface/safetensors, safetensors/src/tensor.rs, tests
  // test_serialization, test_serialization_forced_alignement and test_empty.
  it('matches test_serialization (64-byte header, no padding)', () => {
    const bytes = gl.serializeSafetensors({
      'attn.0': gl.tensor([
        [
          [0, 1, 2],
          [3, 4, 5],
        ],
      ]),
    });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect([...bytes]).toEqual([...le64(64), ...enc(header), ...f32(0, 1, 2, 3, 4, 5)]);
  });

  it('matches test_serialization_forced_alignement (header padded with 7 spaces)', () => {
    const bytes = gl.serializeSafetensors({
      attn0: gl.tensor([
        [
          [
            [0, 1, 2],
            [3, 4, 5],
          ],
        ],
      ]),
    });
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}' + ' '.repeat(7);
    expect([...bytes]).toEqual([...le64(72), ...enc(header), ...f32(0, 1, 2, 3, 4, 5)]);
  });

  it('matches test_empty, with and without metadata', () => {
    expect([...gl.serializeSafetensors({})]).toEqual([...le64(8), ...enc('{}      ')]);
    expect([...gl.serializeSafetensors({}, { framework: 'pt' })]).toEqual([
      ...le64(40),
      ...enc('{"__metadata__":{"framework":"pt"}}     '),
    ]);
  });

  it('orders tensors by dtype alignment (largest first), then by name', () => {
    // The library sorts by its Dtype enum descending (F64 > F32 > I32 > BOOL), then by name.
    const bytes = gl.serializeSafetensors(
      new Map([
        ['b', gl.tensor([1], { dtype: 'int32' })],
        ['a', gl.tensor([true])],
        ['z', gl.tensor([2], { dtype: 'float32' })],
        ['c', gl.tensor([3], { dtype: 'float32' })],
        ['d', gl.tensor([4], { dtype: 'float64' })],
      ]),
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = Buffer.from(bytes.subarray(8, 8 + n)).toString();
    expect(header.trimEnd()).toBe(
      '{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
        '"c":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},' +
        '"z":{"dtype":"F32","shape":[1],"data_offsets":[12,16]},' +
        '"b":{"dtype":"I32","shape":[1],"data_offsets":[16,20]},' +
        '"a":{"dtype":"BOOL","shape":[1],"data_offsets":[20,21]}}',
    );
    expect(n % 8).toBe(0);
    expect(bytes.length).toBe(8 + n + 21);
  });
});

describe('round trip', () => {
  it('keeps values, shapes, dtypes and metadata; non-contiguous input is written row-major', () => {
    const x = gl.arange(6, undefined, 1, { dtype: 'float32' }).reshape([2, 3]).transpose(0, 1);
    const tensors = {
      x,
      d: gl.tensor([Math.PI, -1e300], { dtype: 'float64' }),
      i: gl.tensor([-7, 2147483647], { dtype: 'int32' }),
      m: gl.tensor([[true, false]]),
      s: gl.tensor(2.5),
      e: gl.zeros([0, 3]),
    };
    const back = gl.parseSafetensors(gl.serializeSafetensors(tensors, { epoch: '3', note: 'ünï' }));
    expect(back.metadata).toEqual({ epoch: '3', note: 'ünï' });
    expect(Object.keys(back.tensors).sort()).toEqual(['d', 'e', 'i', 'm', 's', 'x']);
    for (const [k, t] of Object.entries(tensors)) {
      expect(back.tensors[k].shape).toEqual(t.shape);
      expect(back.tensors[k].dtype).toBe(t.dtype);
      expect(back.tensors[k].toArray()).toEqual(t.toArray());
    }
  });

  it('saveSafetensors / loadSafetensors through a file, replacing atomically with no temp file left', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-st-'));
    const file = path.join(dir, 'w.safetensors');
    gl.saveSafetensors(file, { w: gl.ones([2, 2]) });
    gl.saveSafetensors(file, { w: gl.full([3], 7) }, { step: '10' });
    const { tensors, metadata } = gl.loadSafetensors(file);
    expect(tensors.w.toArray()).toEqual([7, 7, 7]);
    expect(metadata).toEqual({ step: '10' });
    expect(fs.readdirSync(dir)).toEqual(['w.safetensors']);
    // A failed save (disposed tensor) leaves the previous file intact.
    const dead = gl.ones([2]);
    dead.dispose();
    expect(() => gl.saveSafetensors(file, { w: dead })).toThrow(gl.DisposedError);
    expect(gl.loadSafetensors(file).tensors.w.toArray()).toEqual([7, 7, 7]);
    expect(fs.readdirSync(dir)).toEqual(['w.safetensors']);
    fs.rmSync(dir, { recursive: true });
  });

  it('names the file when the directory does not exist or the file is missing', () => {
    const missing = path.join(os.tmpdir(), 'gl-no-such-dir', 'x.safetensors');
    expect(() => gl.saveSafetensors(missing, { a: gl.ones([1]) })).toThrow(gl.FileError);
    expect(() => gl.saveSafetensors(missing, { a: gl.ones([1]) })).toThrow(/x\.safetensors.*does not exist/);
    expect(() => gl.loadSafetensors(missing)).toThrow(/cannot read .*x\.safetensors: no such file/);
  });

  it('rejects bad names and metadata', () => {
    expect(() => gl.serializeSafetensors({ __metadata__: gl.ones([1]) })).toThrow(gl.ArgumentError);
    expect(() => gl.serializeSafetensors({}, { a: 1 as unknown as string })).toThrow(
      /metadata values must be strings/,
    );
  });
});

describe('reading other dtypes (fixture written from the format description with numpy/torch encoders)', () => {
  it('converts F16, BF16 to float32 and I64, U8 to int32; keeps F64', () => {
    const { tensors, metadata } = gl.loadSafetensors(path.join(FIX, 'mixed-dtypes.safetensors'));
    expect(metadata).toEqual({ source: 'generate_data_fixtures.py' });
    expect(tensors.f16.dtype).toBe('float32');
    expect(tensors.f16.toArray()).toEqual([
      [1.5, -2],
      [65504, 2 ** -24],
    ]);
    expect(tensors.bf16.dtype).toBe('float32');
    expect(tensors.bf16.toArray()).toEqual([1, -3.5, 0.15625, 2 ** 100]);
    expect(tensors.i64.dtype).toBe('int32');
    expect(tensors.i64.toArray()).toEqual([-5, 2 ** 31 - 1, 0]);
    expect(tensors.u8.toArray()).toEqual([0, 7, 255]);
    expect(tensors.f64.dtype).toBe('float64');
    expect(tensors.f64.toArray()).toEqual([[0.1, -2.5]]);
  });

  it('an I64 value outside int32 is a DTypeError naming the file and tensor', () => {
    expect(() => gl.loadSafetensors(path.join(FIX, 'i64-overflow.safetensors'))).toThrow(gl.DTypeError);
    expect(() => gl.loadSafetensors(path.join(FIX, 'i64-overflow.safetensors'))).toThrow(
      /i64-overflow.*"big".*1099511627776/,
    );
  });
});

describe('corrupt files: FileFormatError naming the file and the problem', () => {
  const cases: [string, RegExp][] = [
    ['header-too-long.safetensors', /header length 1000000 runs past the end of the file/],
    ['bad-json.safetensors', /header is not valid UTF-8 JSON/],
    ['unknown-dtype.safetensors', /tensor "a" has unknown dtype "F31"/],
    ['overlap.safetensors', /tensor "b" data_offsets \[2,6\] overlap the previous tensor/],
    ['truncated.safetensors', /run past the end of the data \(5 bytes; file truncated\?\)/],
    ['wrong-size.safetensors', /needs 12 bytes, data_offsets give 8/],
  ];
  for (const [file, msg] of cases)
    it(file, () => {
      const full = path.join(FIX, file);
      let err: unknown;
      try {
        gl.loadSafetensors(full);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(gl.FileFormatError);
      expect((err as Error).message).toContain(full);
      expect((err as Error).message).toMatch(msg);
    });

  it('short input and trailing bytes', () => {
    expect(() => gl.parseSafetensors(new Uint8Array(3), 'x.st')).toThrow(/x\.st: file is 3 bytes/);
    const good = gl.serializeSafetensors({ a: gl.ones([1]) });
    const longer = new Uint8Array(good.length + 4);
    longer.set(good);
    expect(() => gl.parseSafetensors(longer)).toThrow(/cover 4 data bytes but the file has 8/);
  });
});
