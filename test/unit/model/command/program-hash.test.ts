import { mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { programHash } from '../../../../src/model/kinds/command/program-hash.js';
import { useTempDir } from '../temp-dir.js';

const at = useTempDir('mlops-program-hash-');

describe('the program hash', () => {
  it('hashes the files argv names inside the folder, by path and content, and nothing else', async () => {
    await mkdir(at('src'), { recursive: true });
    await writeFile(at('train.py'), 'print("a")\n');
    await writeFile(at('src', 'util.py'), 'x = 1\n');
    const first = await programHash(['python3', '-u', 'train.py', '--lr', '0.1', 'src/util.py', 'missing.py', '/etc/hostname', '..'], at());
    expect(first.files).toEqual(['train.py', 'src/util.py']);
    const expected = createHash('sha256').update('8:train.py11:').update('print("a")\n').update('11:src/util.py6:').update('x = 1\n').digest('hex');
    expect(first.sha256).toBe(expected);

    await writeFile(at('train.py'), 'print("b")\n');
    expect((await programHash(['python3', 'train.py', 'src/util.py'], at())).sha256).not.toBe(first.sha256);
  });

  it('is the hash of nothing when argv names no file', async () => {
    expect(await programHash(['python3', '-c', 'print(1)'], at())).toEqual({ sha256: createHash('sha256').digest('hex'), files: [] });
  });
});
