import type { OciSeccomp, OciSyscallRule } from './convert-seccomp.ts';

/** LXC's seccomp policy (version 2) for a filter, and what of the filter it could not say. */
export interface LxcSeccompPolicy {
  /** The file `lxc.seccomp.profile` names. */
  text: string;
  /** Rules written, one per line: an OCI rule with several names becomes several lines. */
  lines: number;
  /** Each OCI rule LXC's format cannot express, and why; empty when the policy is the filter's equal. */
  dropped: string[];
}

/** The comparison operators LXC's v2 parser knows (src/lxc/seccomp.c parse_v2_rule_op), by their libseccomp names. */
const LXC_OPERATORS = new Set(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']);

/** LXC takes at most six argument conditions on one line (struct seccomp_v2_rule). */
const LXC_MAX_CONDITIONS = 6;

/** An OCI action → LXC's words for it, or null where LXC has none. An ERRNO without a value is EPERM, as runc makes it. */
function lxcAction(action: string, errnoRet: number | undefined): string | null {
  switch (action) {
    case 'SCMP_ACT_ALLOW': return 'allow';
    case 'SCMP_ACT_ERRNO': return `errno ${errnoRet ?? 1}`;
    case 'SCMP_ACT_KILL': case 'SCMP_ACT_KILL_THREAD': return 'kill';
    case 'SCMP_ACT_TRAP': return 'trap';
    default: return null;
  }
}

/**
 * The argument conditions of a rule in LXC's `[index,value,op,mask]` form, one list per line
 * to write. For SCMP_CMP_MASKED_EQ the OCI spec has the mask in `value` and the datum in
 * `valueTwo`; LXC has the datum second and the mask last. Conditions on one argument index
 * go to separate lines (either may match), as runc adds them as separate rules; conditions on
 * distinct indexes stay on one line (all must match).
 */
function lxcConditions(rule: OciSyscallRule): string[][] {
  const args = rule.args ?? [];
  const written = args.map((arg) => (arg.op === 'SCMP_CMP_MASKED_EQ'
    ? `[${arg.index},${arg.valueTwo},${arg.op},${arg.value}]`
    : `[${arg.index},${arg.value},${arg.op}]`));
  const indexes = args.map((arg) => arg.index);
  if (new Set(indexes).size === indexes.length) return [written];
  return written.map((condition) => [condition]);
}

/** Why LXC cannot say this rule, or null when it can. */
function whyInexpressible(rule: OciSyscallRule): string | null {
  if (lxcAction(rule.action, rule.errnoRet) === null) return `action ${rule.action}`;
  const args = rule.args ?? [];
  const badOp = args.find((arg) => !LXC_OPERATORS.has(arg.op));
  if (badOp) return `operator ${badOp.op}`;
  if (args.length > LXC_MAX_CONDITIONS) return `${args.length} argument conditions (LXC takes ${LXC_MAX_CONDITIONS})`;
  if (args.some((arg) => arg.index < 0 || arg.index > 5)) return 'an argument index above 5';
  return null;
}

/**
 * An OCI `linux.seccomp` filter → LXC's seccomp policy language, version 2: an allowlist
 * (or a denylist where the default allows) whose default action is the filter's (errno 38,
 * ENOSYS, for Docker's profile), with the rules in the filter's order under `[all]`, which
 * LXC applies to the native architecture and its compat ones (x86 and x32 on x86-64), as the
 * OCI filter's architectures do. Argument conditions are written the way LXC parses them. A
 * rule LXC cannot express (an action or operator it lacks) is left out and named in
 * `dropped`; for Docker's profile nothing is.
 */
export function buildLxcSeccompPolicy(seccomp: OciSeccomp, comment: string): LxcSeccompPolicy {
  const dropped: string[] = [];
  const defaultAction = lxcAction(seccomp.defaultAction, seccomp.defaultErrnoRet);
  let header: string;
  if (seccomp.defaultAction === 'SCMP_ACT_ALLOW') header = 'denylist';
  else if (defaultAction !== null) header = `allowlist ${defaultAction}`;
  else {
    // Refusing is the cautious reading of a default LXC cannot say (SCMP_ACT_LOG, _TRACE…).
    header = 'allowlist kill';
    dropped.push(`default action ${seccomp.defaultAction} (written as kill)`);
  }
  const rules: string[] = [];
  for (const rule of seccomp.syscalls) {
    const why = whyInexpressible(rule);
    if (why !== null) {
      dropped.push(`${rule.names.join(',')} ${rule.action}: ${why}`);
      continue;
    }
    const action = lxcAction(rule.action, rule.errnoRet)!;
    for (const conditions of lxcConditions(rule)) {
      for (const name of rule.names) rules.push([name, action, ...conditions].join(' '));
    }
  }
  const text = ['2', header, ...comment.split('\n').map((line) => `# ${line}`), '[all]', ...rules, ''].join('\n');
  return { text, lines: rules.length, dropped };
}
