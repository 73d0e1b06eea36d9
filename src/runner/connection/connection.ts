/**
 * Where to connect: `--db`, else DATABASE_URL, else the libpq PG* variables (which `pg` reads
 * itself). The password is kept only to connect and to scrub it from anything printed or stored.
 */
import type { ClientConfig } from 'pg';
import { inputError } from '../../core/errors.js';

/** A connection target: the pg config, a printable label without password, and a scrubber. */
export interface ConnectionTarget {
  config: ClientConfig;
  /** user@host:port/database, never the password. */
  label: string;
  /** host:port, as asked for (the server's own address may differ behind a proxy). */
  address: string;
  /** Replaces every occurrence of the password in `text`. */
  redact: (text: string) => string;
  /** Lines for the operator about how the target is read (an sslmode node-postgres reads its own way). */
  notes: string[];
}

/**
 * node-postgres reads sslmode prefer, require and verify-ca as verify-full (it checks the
 * server's certificate and host name), and pg-connection-string says so in a multi-line
 * SECURITY WARNING on stderr (pg-connection-string/index.js, deprecatedSslModeWarning). The
 * mode is written as the verify-full it is read as (same behaviour, no warning), and the
 * operator gets one line instead. With uselibpqcompat=true the modes keep libpq's meaning and
 * nothing is changed.
 */
function sslNote(parsed: URL): string | null {
  const mode = parsed.searchParams.get('sslmode');
  if (mode === null || !['prefer', 'require', 'verify-ca'].includes(mode) || parsed.searchParams.get('uselibpqcompat') === 'true') return null;
  parsed.searchParams.set('sslmode', 'verify-full');
  return `sslmode=${mode} is read as verify-full (node-postgres verifies the server's certificate and host name, as libpq's ${mode} would not); use sslmode=no-verify to encrypt without verifying, or add uselibpqcompat=true for libpq's meaning`;
}

/** `application_name` of every runner session, so it is never mistaken for the stitching component. */
export const APPLICATION_NAME = 'restitch';

/** `application_name` of the lease's heartbeat connection (see heldLease.ts). */
export const LEASE_APPLICATION_NAME = 'restitch lease';

/** The same target, for the lease's heartbeat connection. */
export function leaseTarget(target: ConnectionTarget): ConnectionTarget {
  return { ...target, config: { ...target.config, application_name: LEASE_APPLICATION_NAME } };
}

export function connectionTarget(db: string | undefined, env: Readonly<Record<string, string | undefined>>): ConnectionTarget {
  // An empty --db (an unset shell variable) must not quietly mean DATABASE_URL or PG*.
  if (db !== undefined && db.trim() === '') throw inputError('--db is empty; give a postgresql:// URL, or leave --db out to use DATABASE_URL or the PG* variables');
  const url = db ?? env.DATABASE_URL;
  let config: ClientConfig;
  let label: string;
  let address: string;
  let password: string | undefined;
  const notes: string[] = [];
  if (url !== undefined && url !== '') {
    let parsed: URL;
    // The user, password and database are percent-decoded, which throws on %zz or on bytes that are not UTF-8.
    try {
      decodeURIComponent(url);
    } catch {
      throw inputError(`${db !== undefined ? '--db' : 'DATABASE_URL'} has a malformed percent-escape (such as %zz); write a % as %25`);
    }
    try {
      parsed = new URL(url);
    } catch {
      throw inputError(`${db !== undefined ? '--db' : 'DATABASE_URL'} is not a URL; use postgresql://user@host:port/database`);
    }
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
      throw inputError(`${db !== undefined ? '--db' : 'DATABASE_URL'} must start with postgresql://, not ${parsed.protocol}//`);
    }
    // A connection string's own application_name would win over the config's; drop it.
    parsed.searchParams.delete('application_name');
    const note = sslNote(parsed);
    if (note) notes.push(note);
    password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
    config = { connectionString: parsed.toString() };
    address = `${parsed.hostname || parsed.searchParams.get('host') || 'localhost'}:${parsed.port || '5432'}`;
    label = `${decodeURIComponent(parsed.username) || '(default user)'}@${address}${parsed.pathname || '/'}`;
  } else {
    config = {};
    password = env.PGPASSWORD;
    address = `${env.PGHOST ?? 'localhost'}:${env.PGPORT ?? '5432'}`;
    label = `${env.PGUSER ?? '(default user)'}@${address}/${env.PGDATABASE ?? env.PGUSER ?? ''}`;
  }
  config.application_name = APPLICATION_NAME;
  const secrets = password ? [...new Set([password, encodeURIComponent(password)])].filter((s) => s.length > 0) : [];
  const redact = (text: string) => secrets.reduce((t, s) => t.split(s).join('***'), text);
  return { config, label: redact(label), address: redact(address), redact, notes };
}
