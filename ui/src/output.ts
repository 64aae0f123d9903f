// A job's output in the page: fetched from an agreeing provider's HTTP gateway, checked
// against the attested hash before anything is shown, and drawn the way its kernel's output
// reads (KERNELS.md): an image for mandelbrot-q12, a table for matmul-i8 and mlp-i8.
import { blake3 } from '@noble/hashes/blake3';
import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';

/**
 * What a grant signs before the blob's hash (the worker's `data::grant`); the message and the
 * grant's text are pinned to the worker's by tests/vectors/grants.json.
 */
const GRANT_CONTEXT = 'concord/fetch/v1';

/** The bytes a requester signs to let its holder fetch the blob with `hash`. */
export function grantMessage(hash: string): Uint8Array {
  return u8aConcat(stringToU8a(GRANT_CONTEXT), hexToU8a(hash));
}

/** A grant as the gateway takes it: hex of the account's public key, then the signature. */
export function grantHex(publicKey: Uint8Array, signature: string): string {
  return u8aToHex(u8aConcat(publicKey, hexToU8a(signature))).slice(2);
}

/**
 * The HTTP gateway in a registered endpoint (multiaddrs separated by commas): the one ending in `/http`
 * (`/ip4/127.0.0.1/tcp/41333/http`) as a URL; null if it names none, or if the endpoint is one
 * the worker refuses (`blobs::Endpoint::parse`: a word that is no multiaddr, two of a kind).
 * Pinned to the worker's reading by tests/vectors/endpoints.json.
 */
export function gatewayUrl(endpoint: string): string | null {
  const words = endpoint.split(',');
  const gateways = words.filter((word) => word.endsWith('/http'));
  if (
    words.some((word) => !word.startsWith('/')) ||
    gateways.length !== 1 ||
    words.length - gateways.length > 1
  ) {
    return null;
  }
  const ip4 = /^\/ip4\/([\d.]+)\/tcp\/(\d+)\/http$/.exec(gateways[0]);
  if (ip4) return `http://${ip4[1]}:${ip4[2]}`;
  const ip6 = /^\/ip6\/([0-9a-fA-F:]+)\/tcp\/(\d+)\/http$/.exec(gateways[0]);
  if (ip6) return `http://[${ip6[1]}]:${ip6[2]}`;
  return null;
}

/**
 * Fetches the blob with `hash` from the first of `gateways` that serves it and whose bytes
 * hash to it; throws with every gateway's answer if none did.
 */
export async function fetchVerified(
  gateways: string[],
  hash: string,
  grant: string,
): Promise<{ bytes: Uint8Array; from: string }> {
  const failures: string[] = [];
  for (const gateway of gateways) {
    try {
      const response = await fetch(`${gateway}/blob/${hash.slice(2)}?grant=${grant}`);
      if (!response.ok) {
        failures.push(`${gateway}: ${response.status} ${await response.text()}`);
        continue;
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      // The result hash is BLAKE3 of the output (KERNELS.md), as the worker's `result_hash`.
      if (u8aToHex(blake3(bytes)) !== hash) {
        failures.push(`${gateway}: sent bytes that do not match the attested hash`);
        continue;
      }
      return { bytes, from: gateway };
    } catch (error) {
      failures.push(`${gateway}: ${(error as Error).message}`);
    }
  }
  throw new Error(
    `no agreeing provider served the output: ${failures.join('; ') || 'none has a gateway'}`,
  );
}

/** The output as little-endian 32-bit words. */
function words(bytes: Uint8Array, signed: boolean): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    out.push(signed ? view.getInt32(i, true) : view.getUint32(i, true));
  }
  return out;
}

/** A mandelbrot-q12 output (`width * height` iteration counts) as a canvas. */
export function mandelbrotImage(bytes: Uint8Array, params: number[]): HTMLCanvasElement {
  const [width, height, maxIter] = params;
  const counts = words(bytes, false);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.className = 'render';
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(width, height);
  counts.forEach((count, pixel) => {
    // Points that never escaped are black; the rest shade from dark blue to white.
    const shade = count >= maxIter ? 0 : Math.round(255 * Math.sqrt(count / maxIter));
    image.data.set([shade * 0.6, shade * 0.8, Math.min(255, 64 + shade)], pixel * 4);
    image.data[pixel * 4 + 3] = 255;
  });
  context.putImageData(image, 0, 0);
  return canvas;
}

/** An `i32` matrix of `columns` columns as a table, at most 16×16 of it. */
export function matrixTable(bytes: Uint8Array, columns: number): HTMLTableElement {
  const values = words(bytes, true);
  const rows = Math.ceil(values.length / columns);
  const table = document.createElement('table');
  table.className = 'matrix';
  for (let row = 0; row < Math.min(rows, 16); row++) {
    const tr = table.insertRow();
    for (let column = 0; column < Math.min(columns, 16); column++) {
      tr.insertCell().textContent = String(values[row * columns + column]);
    }
  }
  if (rows > 16 || columns > 16)
    table.caption = Object.assign(document.createElement('caption'), {
      textContent: `the first 16×16 of ${rows}×${columns}`,
    });
  return table;
}

/** How the output of `kernel` with `params` is shown: an element, or null for hex only. */
export function render(kernel: string, params: number[], bytes: Uint8Array): HTMLElement | null {
  switch (kernel) {
    case 'MandelbrotQ12':
      return mandelbrotImage(bytes, params);
    case 'MatmulI8':
      return matrixTable(bytes, params[2]);
    case 'MlpI8':
      return matrixTable(bytes, params[params.length - 1]);
    default:
      return null;
  }
}
