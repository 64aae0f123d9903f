// The kernels a job can name, as docs/KERNELS.md specifies them. Only what the page shows
// lives here; whether params are valid is the chain's to say (its quote runtime API checks them
// as `submit` does), so no bound is copied into the page.

export interface Kernel {
  /** The chain's name for it (`KernelId` in the metadata). */
  id: string;
  /** The name in KERNELS.md and on the command line. */
  name: string;
  params: string;
  example: string;
  /** What its input is; `null` when it takes none. */
  input: string | null;
}

export const KERNELS: Kernel[] = [
  {
    id: 'MandelbrotQ12',
    name: 'mandelbrot-q12',
    params: 'width, height, max_iter, cx, cy, step (Q12 fixed point: 4096 = 1.0)',
    example: '96,64,64,-10240,-4096,128',
    input: null,
  },
  {
    id: 'MatmulI8',
    name: 'matmul-i8',
    params: 'm, k, n',
    example: '8,8,8',
    input: 'A (m×k i8) then B (k×n i8), row-major',
  },
  {
    id: 'MlpI8',
    name: 'mlp-i8',
    params: 'batch, L, d0, d1, …, dL',
    example: '2,1,4,4',
    input: 'for each layer W (i8) and bias (i32), then the batch (i8)',
  },
  {
    id: 'Stencil2dI32',
    name: 'stencil2d-i32',
    params: 'width, height, steps',
    example: '8,8,4',
    input: 'the grid, width×height i32 row-major',
  },
  { id: 'SortU32', name: 'sort-u32', params: 'n', example: '16', input: 'n u32 values' },
  {
    id: 'Sha256Batch',
    name: 'sha256-batch',
    params: 'msg_len, count',
    example: '32,4',
    input: 'count messages of msg_len bytes each',
  },
];

export function kernelById(id: string): Kernel | undefined {
  return KERNELS.find((kernel) => kernel.id === id);
}

/** Params as KERNELS.md reads them: mandelbrot-q12's `cx` and `cy` are `i32`. */
export function showParams(kernel: string, params: number[]): string {
  const signed = kernel === 'MandelbrotQ12' ? [3, 4] : [];
  return params.map((p, i) => (signed.includes(i) ? p | 0 : p)).join(', ');
}

/**
 * Params as the command line writes them, `96,64,64,-10240,-4096,128`: each a u32, or a
 * negative i32 taken as its bits. Throws on anything else.
 */
export function parseParams(text: string): number[] {
  return text.split(',').map((word) => {
    // Digits with an optional `-`, as the command line takes them (tests/vectors/params.json).
    const value = /^-?\d+$/.test(word.trim()) ? Number(word.trim()) : NaN;
    if (!Number.isSafeInteger(value) || value < -(2 ** 31) || value > 2 ** 32 - 1) {
      throw new Error(`"${word.trim()}" is not a u32 or i32`);
    }
    return value >>> 0; // a negative i32 as its bits; -0 as 0
  });
}
