import type { Manifest } from '../types.ts';
import { code, text, type Block, type Inline } from './document-model.ts';

/**
 * "### Security profile" of chapter 4: the one confinement every compared container gets
 * (the seccomp file and its hash, capabilities, no_new_privs, masked paths, AppArmor) and,
 * per runtime, how it is given and where it falls short. Nothing for a manifest without one.
 */
export function buildSecurityProfile(manifest: Manifest): Block[] {
  const profile = manifest.securityProfile;
  if (!profile) return [];
  const intro: Inline = [
    text('Every compared container gets one profile, whatever its runtime: the seccomp filter of '),
    code(profile.seccompSource),
    text(
      ` (SHA-256 ${profile.seccompSha256.slice(0, 16)}…; default action ${profile.defaultAction}${profile.defaultErrnoRet === null ? '' : ` with errno ${profile.defaultErrnoRet}`}, ` +
        `${profile.syscallsAllowed} system calls allowed, ${profile.syscallsAllowedConditionally} for some arguments only, ${profile.syscallsDenied} refused), ` +
        `${profile.capabilities.length} capabilities (CapEff ${profile.capEff}), ${profile.noNewPrivileges ? 'no_new_privs' : 'no no_new_privs'}, ` +
        `${profile.maskedPaths.length} masked and ${profile.readonlyPaths.length} read-only paths; AppArmor is ${profile.apparmor.enabled ? 'enabled on this host' : 'not enabled on this host, so no runtime has an AppArmor profile'}. ${profile.seccompNote}.`,
    ),
  ];
  return [
    { kind: 'heading', level: 3, text: 'Security profile' },
    { kind: 'paragraph', content: intro },
    {
      kind: 'table',
      id: 'security-profile',
      caption: 'How each runtime is given the profile, and what differs from it.',
      columns: [
        { title: 'Runtime', align: 'left' },
        { title: 'Profile', align: 'left' },
        { title: 'What differs', align: 'left' },
      ],
      rows: Object.entries(profile.runtimes).map(([runtime, security]) => [
        [text(runtime)],
        [text(security.profile === 'docker-default' ? 'the profile' : 'its own defaults')],
        [text(security.gaps.length === 0 ? 'nothing' : security.gaps.join('; '))],
      ]),
    },
  ];
}
