import { chromium, type Browser, type LaunchOptions } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's Chromium; nothing may download a browser here. */
export function chromiumPath(): string {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv) return fromEnv;
  return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
}

/** Flags without which headless Chromium tries to reach the (closed) network. */
export const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-default-apps',
];

export interface LaunchChoice {
  /** WebGPU needs --enable-unsafe-webgpu (a SwiftShader adapter, here). */
  webgpu?: boolean;
  /** A fake camera (`true`) or one playing a given .y4m/.mjpeg file. */
  fakeCamera?: boolean | string;
  /** Answer permission prompts with "allow" (camera). */
  autoAllow?: boolean;
  extraArgs?: string[];
}

export async function launchChromium(choice: LaunchChoice = {}): Promise<Browser> {
  const args = [...QUIET_FLAGS, '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];
  if (choice.webgpu) args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan');
  if (choice.fakeCamera) {
    args.push('--use-fake-device-for-media-stream');
    if (typeof choice.fakeCamera === 'string') args.push(`--use-file-for-fake-video-capture=${choice.fakeCamera}`);
  }
  if (choice.autoAllow) args.push('--use-fake-ui-for-media-stream');
  args.push(...(choice.extraArgs ?? []));
  const options: LaunchOptions = { executablePath: chromiumPath(), headless: true, args };
  return chromium.launch(options);
}

/** A fresh empty folder for a persistent profile (real IndexedDB that outlives a page). */
export function tempProfileDir(): string {
  return mkdtempSync(join(tmpdir(), 'obscura-profile-'));
}
