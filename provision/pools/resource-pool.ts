import { CrbenchError } from '../../pipeline/errors.ts';

/**
 * Where one member of a pool is: free to take, held by exactly one container, or retired
 * (it failed a check and is never handed out again, but stays recorded for teardown).
 */
export type MemberState =
  | { kind: 'free' }
  | { kind: 'held'; holder: string }
  | { kind: 'retired'; reason: string };

/**
 * A pool of pre-made resources (network namespaces, cgroups) handed to one container at a
 * time, SOCK's way of taking their creation off a container's start. The rules, which the
 * unit tests pin:
 * - a member is never held by two containers at once: `take` only hands out free members;
 * - a member is checked before every hand-out (`checkBeforeTake`: empty, in place, limits
 *   written) and retired, with the reason, when the check fails;
 * - only its holder gives a member back (`giveBack`), after the steps that emptied it ran;
 * - free members are handed out in the order they were given back (first in, first out),
 *   so every member is reused in turn.
 * Pure bookkeeping: making, checking and emptying a member are the caller's.
 */
export class ResourcePool<T> {
  readonly name: string;
  private readonly members: T[];
  private readonly states: MemberState[];
  /** Indexes of free members, oldest first. */
  private readonly freeQueue: number[];
  private readonly checkBeforeTake: (member: T) => string | undefined;

  constructor(options: { name: string; members: readonly T[]; checkBeforeTake: (member: T) => string | undefined }) {
    this.name = options.name;
    this.members = [...options.members];
    this.states = this.members.map(() => ({ kind: 'free' }));
    this.freeQueue = this.members.map((_member, index) => index);
    this.checkBeforeTake = options.checkBeforeTake;
  }

  /**
   * Hands the first free member that passes its check to `holder`. A member that fails is
   * retired. Throws POOL_EXHAUSTED, saying who holds what and why members were retired,
   * when no free member is left.
   */
  take(holder: string): T {
    if (this.indexHeldBy(holder) !== undefined) {
      throw new CrbenchError('POOL_DOUBLE_TAKE', `${holder} already holds a member of the ${this.name} pool: a container takes one at a time`);
    }
    for (let index = this.freeQueue.shift(); index !== undefined; index = this.freeQueue.shift()) {
      const member = this.members[index] as T;
      const unclean = this.checkBeforeTake(member);
      if (unclean !== undefined) {
        this.states[index] = { kind: 'retired', reason: unclean };
        continue;
      }
      this.states[index] = { kind: 'held', holder };
      return member;
    }
    throw new CrbenchError('POOL_EXHAUSTED', `the ${this.name} pool has no free member for ${holder}: ${this.describe()}`);
  }

  /** Returns `member` to the pool once its holder's clean has emptied it; the next take checks it again. */
  giveBack(member: T, holder: string): void {
    const index = this.heldIndex(member, holder);
    this.states[index] = { kind: 'free' };
    this.freeQueue.push(index);
  }

  /** Takes `member` out of use for good (a failed check after its holder's clean), keeping it recorded. */
  retire(member: T, holder: string, reason: string): void {
    const index = this.heldIndex(member, holder);
    this.states[index] = { kind: 'retired', reason };
  }

  /** The container holding `member`, or undefined when it is free or retired. */
  holderOf(member: T): string | undefined {
    const state = this.states[this.members.indexOf(member)];
    return state?.kind === 'held' ? state.holder : undefined;
  }

  /** Every member with its state, in the order the pool was made. */
  snapshot(): { member: T; state: MemberState }[] {
    return this.members.map((member, index) => ({ member, state: this.states[index] as MemberState }));
  }

  /** `3 free, 4 held (c1, …), 1 retired (reason)`, for messages. */
  describe(): string {
    const free = this.states.filter((state) => state.kind === 'free').length;
    const held = this.states.flatMap((state) => (state.kind === 'held' ? [state.holder] : []));
    const retired = this.states.flatMap((state) => (state.kind === 'retired' ? [state.reason] : []));
    return [`${free} free`, `${held.length} held${held.length > 0 ? ` (${held.join(', ')})` : ''}`,
      `${retired.length} retired${retired.length > 0 ? ` (${retired.join('; ')})` : ''}`].join(', ');
  }

  private indexHeldBy(holder: string): number | undefined {
    const index = this.states.findIndex((state) => state.kind === 'held' && state.holder === holder);
    return index < 0 ? undefined : index;
  }

  private heldIndex(member: T, holder: string): number {
    const index = this.members.indexOf(member);
    const state = this.states[index];
    if (state === undefined) throw new CrbenchError('POOL_UNKNOWN_MEMBER', `${String(member)} is not a member of the ${this.name} pool`);
    if (state.kind !== 'held' || state.holder !== holder) {
      const now = state.kind === 'held' ? `held by ${state.holder}` : state.kind;
      throw new CrbenchError('POOL_NOT_HOLDER', `${holder} gives back a member of the ${this.name} pool it does not hold (it is ${now})`);
    }
    return index;
  }
}
