import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeVersion, gitCommit } from '../../../src/model/lineage.js';
import { useTempDir } from './temp-dir.js';

const sha = (c: string) => c.repeat(40);
const inTemp = useTempDir('mlops-git-');

async function repo(name: string, files: Record<string, string>): Promise<string> {
  const root = inTemp(name);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  return root;
}

describe('gitCommit', () => {
  it('reads a loose ref, a packed ref and a detached HEAD, without running git', async () => {
    expect(await gitCommit(await repo('loose', { '.git/HEAD': 'ref: refs/heads/main\n', '.git/refs/heads/main': `${sha('a')}\n` }))).toBe(sha('a'));
    const packed = `# pack-refs\n${sha('b')} refs/heads/main\n`;
    expect(await gitCommit(await repo('packed', { '.git/HEAD': 'ref: refs/heads/main\n', '.git/packed-refs': packed }))).toBe(sha('b'));
    expect(await gitCommit(await repo('detached', { '.git/HEAD': `${sha('c')}\n` }))).toBe(sha('c'));
  });

  it('follows a worktree’s .git file, and is undefined outside a checkout', async () => {
    const main = await repo('main', { '.git/HEAD': 'ref: refs/heads/main\n', '.git/refs/heads/topic': `${sha('d')}\n` });
    await repo('main', { '.git/worktrees/wt/HEAD': 'ref: refs/heads/topic\n', '.git/worktrees/wt/commondir': '../..\n' });
    const wt = await repo('wt', { '.git': `gitdir: ${path.join(main, '.git/worktrees/wt')}\n` });
    expect(await gitCommit(wt)).toBe(sha('d'));
    expect(await gitCommit(await repo('none', { 'README.md': 'x' }))).toBeUndefined();
  });
});

describe('codeVersion', () => {
  it('names this package and version', async () => {
    expect((await codeVersion()).package).toMatch(/^temporal-mlops@\d+\.\d+\.\d+/);
  });
});
