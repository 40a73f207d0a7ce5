import { snapshotAttributes } from './call-arguments';
import { describe } from './describe-value';
import { message } from './messages';
import type { EventRecord } from './records';

/**
 * A hook that sees each event before a kit gets it: it returns the record (changed or not: drop a
 * personal attribute, rename the event) or null to drop the event. Only events pass through it:
 * session, lifecycle and user records always reach every kit, so no hook can make a vendor miss a
 * session start or end.
 */
export type BeforeSend = (record: EventRecord) => EventRecord | null;

/**
 * Runs a hook on a copy of the record, nested attributes included (a hook that edits it in place
 * must not change what other kits or the app's listeners see). Throws when the hook throws or
 * returns something other than an event record or null; the caller counts that as the kit's failure
 * and drops the event.
 */
export function runBeforeSend(hook: BeforeSend, record: EventRecord): EventRecord | null {
  // Nested objects and arrays copied too: deleting \`attributes.user.email\` must not reach the others.
  const out = hook({ ...record, attributes: snapshotAttributes(record.attributes) });
  if (out === null || (typeof out?.name == 'string' && out.name && typeof out.attributes == 'object' && out.attributes)) return out;
  throw TypeError(message(28, describe(out)));
}
