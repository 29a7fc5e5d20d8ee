/**
 * A Secret as `sops encrypt` writes it with this project's .sops.yaml (encrypted_regex
 * ^(data|stringData)$, one AWS KMS key), for the render check's tests. sops is not installed
 * here, so it was made the way sops makes one (getsops/sops aes/cipher.go): each value
 * AES-256-GCM-encrypted under a throwaway data key with a 32-byte IV, the value's key path as
 * additional data; the mac the same over the values' SHA-512, with `lastmodified` as additional
 * data. Only `sops.kms[0].enc` (the KMS-wrapped data key) is a random stand-in: it needs AWS.
 * The plaintexts are "app" and "correct-horse-battery"; nothing here is a real credential.
 */
/** A string value as sops writes it: `ENC[AES256_GCM,data:...,iv:...,tag:...,type:str]`. */
const enc = (data: string, iv: string, tag: string) => `ENC[AES256_GCM,data:${data},iv:${iv},tag:${tag},type:str]`;
/** The KMS-wrapped data key (a random stand-in) and the mac's ciphertext, too long for one line. */
const KMS_ENC =
  "AQICAHjPRFlDlyB0W4C0UcyQu4gUT0VOGyjuH4KX4QKKILUqnuAfW0oMKPdzquRA+8mdvPdelP3xIMN89QZplvLn2NbXbP4C7hQe" +
  "7h6+yCqE+5LR6zPIT96ikcYWkbSs0LktBXTS7n1K7xYE0Rh4A8mbVushFyC0cMDpMDHND+RaHjn5TNqvCbl5NmhNdprOHaU3UCwm" +
  "YN/UZS1ekzboPpxu9eLTyKY1D4+338RCDBdNcftiQjAYk2U=";
const PASSWORD_DATA = "jJfpv8Dow4my+mataT+upBSMO4UW";
const MAC_DATA =
  "eJYUgr9sDltCge6ZkW/LB7biT1F+76uFR8wuYFZNCYYGGTQi3h74jTfDw4yekI3o04Ymt5SnumLy4oPUL0gXuGzWsA3BroP+O/iZ" +
  "HSdXCW2+ai4M4FefRSLO0/qykFWL7cwrt+r1ZfWUkgIKUoPjEr9JEJaz03w8OEPLB8gP96U=";

export const ENCRYPTED_SECRET = `apiVersion: v1
kind: Secret
metadata:
    name: db-credentials
    namespace: apps
type: Opaque
stringData:
    username: ${enc("OdoG", "flpm44atVFIEMp/CyOl+UgwKjPLyBqfnv4ZVWN49LRs=", "OjVv5WIQEfaWvnj3BBCWaQ==")}
    password: ${enc(PASSWORD_DATA, "ehVjRDwCvCmUge+p000xvlfSYroTHJcHrwR5k65mnKU=", "wZwnVy3KcAzbszQnXNjrqg==")}
sops:
    kms:
        - arn: arn:aws:kms:us-west-2:123456789012:alias/flux-qa-sops
          created_at: "2026-11-26T19:00:00Z"
          enc: ${KMS_ENC}
          aws_profile: ""
    lastmodified: "2026-11-26T19:00:00Z"
    mac: ${enc(MAC_DATA, "ytYugaQJKkEiOgAsczq75+HSqwJOmuij07YVyjstMz8=", "FVeUoM8BWbMJuHdHyp9vlw==")}
    encrypted_regex: ^(data|stringData)$
    version: 3.13.2
`;

/** The same Secret with its password in clear: what a forgotten `sops encrypt` leaves. */
export const HALF_ENCRYPTED_SECRET = ENCRYPTED_SECRET.replace(
  /password: ENC\[[^\n]*/,
  "password: correct-horse-battery",
);

/** A Secret never encrypted at all. */
export const PLAIN_SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: apps
stringData:
  password: correct-horse-battery
`;
