/**
 * Every distinct user id seen, numbered: model states keep a user as its number (4 bytes in a
 * column) instead of a string reference per model per device, and the table's size is the count of
 * signed-in users.
 */
export class UserTable {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  /** Distinct users. */
  get size(): number {
    return this.names.length;
  }

  /** The user's number (-1: nobody), adding the user when new. */
  id(user: string | null): number {
    if (user === null) return -1;
    let id = this.ids.get(user);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(user, id);
      this.names.push(user);
    }
    return id;
  }

  /** The user of a number (the first string seen with that id: the same object every time). */
  name(id: number): string | null {
    return id < 0 ? null : this.names[id]!;
  }
}
