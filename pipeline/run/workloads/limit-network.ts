import type { Workload } from './workload.ts';

/**
 * No network: lists the container's network interfaces other than loopback and the routes
 * it has. The check passes only with neither, so a container that could reach anything
 * (an interface, a default route) shows as "not enforced". No packet is sent anywhere.
 */
export const limitNetwork: Workload = {
  name: 'limit-network',
  argv: ['/bin/busybox', 'sh', '-c', 'echo "interfaces:$(/bin/busybox tail -n +3 /proc/net/dev | /bin/busybox cut -d: -f1 | /bin/busybox tr -d " " | /bin/busybox grep -v -x lo | /bin/busybox tr "\\n" " ")"; echo "routes:$(/bin/busybox tail -n +2 /proc/net/route | /bin/busybox wc -l)"'],
  check(record) {
    const interfaces = /^interfaces:(.*)$/m.exec(record.stdout)?.[1]?.trim();
    const routes = Number(/^routes:(\d+)$/m.exec(record.stdout)?.[1] ?? Number.NaN);
    if (record.exitCode !== 0 || interfaces === undefined || Number.isNaN(routes)) return `could not tell: ${JSON.stringify(record.stdout.slice(0, 80))} (${record.signal ?? `exit ${record.exitCode}`})`;
    if (interfaces !== '' || routes > 0) return `not enforced: the container has ${interfaces === '' ? 'no interface' : `interfaces ${interfaces}`} and ${routes} routes`;
    return null;
  },
};
