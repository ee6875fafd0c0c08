// The part of proxy-addr (Express's parser of `trust proxy`, which ships no types) that config.ts uses.
declare module 'proxy-addr' {
  /** Throws a TypeError for anything that is not an address, a CIDR range or a range name. */
  export function compile(trust: string | string[]): (address: string, hop: number) => boolean;
}
