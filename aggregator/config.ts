/** What an aggregator is told at start: its role, the public task, its peer and its secrets. */
import type { AggregatorRole } from '../src/report/share-body';

export interface AggregatorConfig {
  readonly role: AggregatorRole;
  /** 0 takes a free port. */
  readonly port: number;
  readonly host?: string;
  /** PGlite folder; in memory when absent (and no databaseUrl). */
  readonly dataDir?: string;
  /** A PostgreSQL server (postgres://…), instead of PGlite. */
  readonly databaseUrl?: string;
  /**
   * PGlite only: a new database starts as a copy of this data directory (a tarball from PGlite's `dumpDataDir`,
   * e.g. of one holding the aggregator's tables) instead of an empty one made by initdb; the schema still runs.
   */
  readonly pgliteTemplate?: Blob;
  /** Public task: coordinates, bits per coordinate, smallest batch released. */
  readonly dims: number;
  readonly bits: number;
  readonly nMin: number;
  /** The VDAF verification key shared by leader and helper only (16 bytes, base64url). */
  readonly verifyKey: string;
  /** Leader only: the helper's base URL. */
  readonly helperUrl?: string;
  /** Leader → helper calls carry this bearer token. */
  readonly peerToken: string;
  /** The analyst's calls (prepare, batch, collect) carry this one. */
  readonly analystToken: string;
  /** Origins of the pages allowed to upload from a browser (CORS): each named, there is no wildcard. */
  readonly allowedOrigins?: readonly string[];
  /** Largest batch the leader forms (default 100 000). */
  readonly maxBatch?: number;
}
