/**
 * Moddable's `crypt` module (modules/crypt/digest: crypt.js and modCrypt.c;
 * the SDK's typings/crypt.d.ts), declared by the project as far as it is
 * used: the Digest class. close() ends a hash and returns it; reset()
 * starts the next one on the same native context.
 */
declare module 'crypt' {
  export class Digest {
    constructor(type: 'MD5' | 'SHA1' | 'SHA224' | 'SHA256' | 'SHA384' | 'SHA512');
    write(message: string | ArrayBuffer): void;
    close(): ArrayBuffer;
    reset(): void;
    get blockSize(): number;
    get outputSize(): number;
  }
}
