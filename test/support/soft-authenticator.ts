// A small software WebAuthn authenticator for API tests (no browser): ES256 (P-256) keys,
// attestation format "none", DER signatures. It produces RegistrationResponseJSON and
// AuthenticationResponseJSON exactly as @simplewebauthn/browser posts them, so the server's
// ceremonies run on generated fixtures. Options are mutable: a test changes the origin, the
// RP ID or the flags to forge what a phishing page or a faulty authenticator would send.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

// ---- minimal CBOR encoder (RFC 8949): uint/negint, byte string, text string, array, map, bool ----
type Cbor = number | string | boolean | Uint8Array | Cbor[] | Map<Cbor, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

export function cborEncode(v: Cbor): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'boolean') return Buffer.from([v ? 0xf5 : 0xf4]);
  if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    return Buffer.concat([head(3, s.length), s]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cborEncode)]);
  const parts: Buffer[] = [head(5, v.size)];
  for (const [k, val] of v) parts.push(cborEncode(k), cborEncode(val));
  return Buffer.concat(parts);
}

// ---- helpers ----
const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string): Buffer => createHash('sha256').update(b).digest();

export const FLAG_UP = 0x01;
export const FLAG_UV = 0x04;
export const FLAG_BE = 0x08;
export const FLAG_BS = 0x10;
export const FLAG_AT = 0x40;

export interface SoftCredential {
  id: Buffer;
  privateKey: KeyObject;
  cosePublicKey: Buffer;
  userHandle: string; // base64url, as in options.user.id
  signCount: number;
}

export interface SoftAuthenticatorOptions {
  origin: string; // e.g. 'http://localhost:1337'
  rpId?: string; // defaults to options.rp.id / options.rpId
  userVerified?: boolean; // sets UV (default true)
  userPresent?: boolean; // sets UP (default true)
  backupEligible?: boolean; // BE (default false)
  backedUp?: boolean; // BS (default false)
  counterStep?: number; // signCount increment per use; 0 = passkey-style always-0 counter (default 1)
  aaguid?: Buffer; // 16 bytes (default zeros)
  transports?: string[]; // default ['internal']
}

export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  constructor(readonly opts: SoftAuthenticatorOptions) {}

  private flags(extra = 0): number {
    const o = this.opts;
    return (
      ((o.userPresent ?? true) ? FLAG_UP : 0) |
      ((o.userVerified ?? true) ? FLAG_UV : 0) |
      (o.backupEligible ? FLAG_BE : 0) |
      (o.backedUp ? FLAG_BS : 0) |
      extra
    );
  }

  private clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.opts.origin, crossOrigin: false }));
  }

  /**
   * navigator.credentials.create() equivalent: takes PublicKeyCredentialCreationOptionsJSON.
   * `reuse` registers an existing key (and id) again, as a copied credential would be.
   */
  create(options: { challenge: string; rp: { id?: string }; user: { id: string } }, reuse?: SoftCredential) {
    const rpId = this.opts.rpId ?? options.rp.id!;
    const cred = reuse ?? this.newCredential(options.user.id);
    const { id, cosePublicKey } = cred;
    const signCount = Buffer.alloc(4); // registration: counter 0
    const credIdLen = Buffer.alloc(2);
    credIdLen.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([this.flags(FLAG_AT)]),
      signCount,
      this.opts.aaguid ?? Buffer.alloc(16),
      credIdLen,
      id,
      cosePublicKey,
    ]);
    const attestationObject = cborEncode(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    if (!reuse) this.credentials.push(cred);
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge)),
        attestationObject: b64url(attestationObject),
        transports: this.opts.transports ?? ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    };
  }

  private newCredential(userHandle: string): SoftCredential {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cosePublicKey = cborEncode(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    return { id: randomBytes(16), privateKey, cosePublicKey, userHandle, signCount: 0 };
  }

  /** navigator.credentials.get() equivalent: takes PublicKeyCredentialRequestOptionsJSON. */
  get(options: { challenge: string; rpId?: string; allowCredentials?: { id: string }[] }, credentialId?: string) {
    const rpId = this.opts.rpId ?? options.rpId!;
    const allowed = options.allowCredentials?.map((c) => c.id);
    const cred = this.credentials.find(
      (c) => (credentialId ? b64url(c.id) === credentialId : true) && (!allowed?.length || allowed.includes(b64url(c.id))),
    );
    if (!cred) throw new Error('SoftAuthenticator: no matching credential');
    cred.signCount += this.opts.counterStep ?? 1;
    const signCount = Buffer.alloc(4);
    signCount.writeUInt32BE(cred.signCount);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([this.flags()]), signCount]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge);
    // ECDSA over authData || SHA-256(clientDataJSON); Node's default EC signature encoding is DER.
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), cred.privateKey);
    return {
      id: b64url(cred.id),
      rawId: b64url(cred.id),
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: cred.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform' as const,
    };
  }
}
