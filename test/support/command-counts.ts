// Counts the database commands a MongoClient sends (through the driver's command monitoring, or
// for the bench without it), split into reads and writes and by collection. Used by the bench's
// app server and by tests that count queries.
import type { CommandStartedEvent, MongoClient } from 'mongodb';

export type CommandKind = 'read' | 'write';

const READS = new Set(['find', 'aggregate', 'count', 'distinct', 'getMore']);
const WRITES = new Set(['insert', 'update', 'delete', 'findAndModify']);

/** Reads and writes; handshakes, pings, session ends, buildInfo and index builds are not counted. */
export function commandKind(name: string): CommandKind | undefined {
  if (READS.has(name)) return 'read';
  if (WRITES.has(name)) return 'write';
  return undefined;
}

/** The collection a command works on (getMore names it in `collection`, the others under their own name). */
export function commandCollection(event: Pick<CommandStartedEvent, 'commandName' | 'command'>): string {
  const cmd = event.command as Record<string, unknown>;
  const value = event.commandName === 'getMore' ? cmd.collection : cmd[event.commandName];
  return typeof value === 'string' ? value : '?';
}

export interface CountedCommand {
  kind: CommandKind;
  name: string;
  collection: string;
}

export interface CommandCounts {
  reads: number;
  writes: number;
  /** `collection` → its reads and writes. */
  byCollection: Record<string, { reads: number; writes: number }>;
  /** `collection command` (e.g. `sessions update`) → how many. */
  byCommand: Record<string, number>;
}

export interface CommandCounter {
  counts(): CommandCounts;
  /** The commands since the last reset, in order (kept up to `keep` entries). */
  log(): CountedCommand[];
  reset(): void;
  stop(): void;
}

/** The driver's internal connection class, whose prepareCommand sees every command it sends. */
interface DriverConnectionClass {
  prototype: { prepareCommand?: (this: unknown, db: string, command: Record<string, unknown>, options: unknown) => unknown };
}

/**
 * Calls `onCommand` for every command any client of this process sends, by wrapping the driver's
 * internal Connection.prototype.prepareCommand; undefined when the driver has no such method.
 * Command monitoring builds two event objects per command and decodes every reply a second
 * time, which would count in the bench's CPU figures as if the app did it.
 */
function hookDriverCommands(onCommand: (event: Pick<CommandStartedEvent, 'commandName' | 'command'>) => void): (() => void) | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const proto = (require('mongodb/lib/cmap/connection') as { Connection?: DriverConnectionClass }).Connection?.prototype;
  const original = proto?.prepareCommand;
  if (!proto || !original) return undefined;
  proto.prepareCommand = function countedPrepareCommand(db, command, options) {
    for (const commandName in command) {
      onCommand({ commandName, command });
      break; // the command's name is its first key
    }
    return original.call(this, db, command, options);
  };
  return () => {
    proto.prepareCommand = original;
  };
}

/**
 * `via: 'events'` (the default) listens to the client's command monitoring (the client needs
 * `monitorCommands: true`); `via: 'driver'` counts every client's commands in this process without
 * it (see hookDriverCommands), falling back to events where the driver changed.
 */
export function countCommands(client: MongoClient, options: { keep?: number; via?: 'events' | 'driver' } = {}): CommandCounter {
  const keep = options.keep ?? 1000;
  const empty = (): CommandCounts => ({ reads: 0, writes: 0, byCollection: {}, byCommand: {} });
  let counts = empty();
  let log: CountedCommand[] = [];
  const onCommand = (event: Pick<CommandStartedEvent, 'commandName' | 'command'>) => {
    const kind = commandKind(event.commandName);
    if (!kind) return;
    const collection = commandCollection(event);
    const entry = (counts.byCollection[collection] ??= { reads: 0, writes: 0 });
    if (kind === 'read') {
      counts.reads++;
      entry.reads++;
    } else {
      counts.writes++;
      entry.writes++;
    }
    const key = `${collection} ${event.commandName}`;
    counts.byCommand[key] = (counts.byCommand[key] ?? 0) + 1;
    if (log.length < keep) log.push({ kind, name: event.commandName, collection });
  };
  const unhook = options.via === 'driver' ? hookDriverCommands(onCommand) : undefined;
  if (!unhook) client.on('commandStarted', onCommand);
  return {
    counts: () => structuredClone(counts),
    log: () => [...log],
    reset() {
      counts = empty();
      log = [];
    },
    stop: () => (unhook ? unhook() : void client.off('commandStarted', onCommand)),
  };
}
