// The only runtime globals the pure core may touch. With lib ES2022 and types [] nothing else
// (process, Buffer, DOM) leaks in; TextDecoder exists in Node, browsers and workers alike.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
