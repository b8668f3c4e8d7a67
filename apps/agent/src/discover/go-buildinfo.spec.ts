import { buildFaultFixture, goToolchains } from '@stackwatch/testing';
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempTree } from './__fixtures__/file-tree';
import { readGoBuildInfo, readGoBuildInfoOfPid } from './go-buildinfo';

/** A build info blob: magic, pointer size, flags, padding to 32, then (inline) the version. */
function blob(version: string | undefined): Buffer {
  const header = Buffer.alloc(32);
  header.write('\xff Go buildinf:', 0, 'latin1');
  header[14] = 8;
  if (version === undefined) return header; // pre-1.18: flags 0, two pointers follow (left zero)
  header[15] = 0x2;
  return Buffer.concat([header, Buffer.from([version.length]), Buffer.from(version), Buffer.from([0])]);
}

interface ElfSpec {
  readonly is64?: boolean;
  readonly le?: boolean;
  readonly sections?: readonly { readonly name: string; readonly data: Buffer }[];
  readonly segments?: readonly { readonly flags: number; readonly data: Buffer }[];
}

/** A minimal ELF file: header, program headers, segment/section data, .shstrtab and section headers. */
function elf({ is64 = true, le = true, sections = [], segments = [] }: ElfSpec): Buffer {
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const parts: Buffer[] = [];
  let offset = ehsize + segments.length * phentsize;
  const align16 = () => {
    const pad = (16 - (offset % 16)) % 16;
    parts.push(Buffer.alloc(pad));
    offset += pad;
  };
  align16();
  const placed = (data: Buffer) => {
    align16();
    const at = offset;
    parts.push(data);
    offset += data.length;
    return at;
  };
  const segmentOffsets = segments.map((s) => placed(s.data));
  const allSections = sections.length ? [{ name: '', data: Buffer.alloc(0) }, ...sections, { name: '.shstrtab', data: Buffer.alloc(0) }] : [];
  const names = Buffer.from(allSections.map((s) => `${s.name}\0`).join(''));
  const sectionOffsets = allSections.map((s, i) => (i === allSections.length - 1 ? placed(names) : placed(s.data)));
  align16();
  const shoff = sections.length ? offset : 0;

  const w = {
    u16: (b: Buffer, v: number, at: number) => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at)),
    u32: (b: Buffer, v: number, at: number) => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at)),
    word: (b: Buffer, v: number, at: number) =>
      is64 ? (le ? b.writeBigUInt64LE(BigInt(v), at) : b.writeBigUInt64BE(BigInt(v), at)) : le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at),
  };
  const header = Buffer.alloc(ehsize);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = is64 ? 2 : 1;
  header[5] = le ? 1 : 2;
  header[6] = 1;
  w.word(header, segments.length ? ehsize : 0, is64 ? 0x20 : 0x1c);
  w.word(header, shoff, is64 ? 0x28 : 0x20);
  w.u16(header, phentsize, is64 ? 0x36 : 0x2a);
  w.u16(header, segments.length, is64 ? 0x38 : 0x2c);
  w.u16(header, shentsize, is64 ? 0x3a : 0x2e);
  w.u16(header, allSections.length, is64 ? 0x3c : 0x30);
  w.u16(header, allSections.length ? allSections.length - 1 : 0, is64 ? 0x3e : 0x32);

  const programHeaders = segments.map((s, i) => {
    const ph = Buffer.alloc(phentsize);
    w.u32(ph, 1, 0); // PT_LOAD
    w.u32(ph, s.flags, is64 ? 4 : 0x18);
    w.word(ph, segmentOffsets[i], is64 ? 8 : 4);
    w.word(ph, s.data.length, is64 ? 0x20 : 0x10);
    return ph;
  });
  let nameAt = 0;
  const sectionHeaders = allSections.map((s, i) => {
    const sh = Buffer.alloc(shentsize);
    w.u32(sh, nameAt, 0);
    nameAt += Buffer.byteLength(s.name) + 1;
    w.u32(sh, i === 0 ? 0 : i === allSections.length - 1 ? 3 : 1, 4); // NULL, PROGBITS, STRTAB
    w.word(sh, sectionOffsets[i], is64 ? 0x18 : 0x10);
    w.word(sh, i === allSections.length - 1 ? names.length : s.data.length, is64 ? 0x20 : 0x14);
    return sh;
  });
  return Buffer.concat([header, ...programHeaders, ...parts, ...sectionHeaders]);
}

const RW = 2;
const RX = 5;

describe('readGoBuildInfo', () => {
  const tree = tempTree('buildinfo');
  afterAll(tree.cleanup);
  const file = async (name: string, content: Buffer) => {
    const path = join(tree.root, name);
    await fs.writeFile(path, content);
    return path;
  };

  describe.each(goToolchains())('a fixture built with $label', (toolchain) => {
    it('is Go, with the exact toolchain version', async () => {
      const binary = await buildFaultFixture(toolchain);
      expect(await readGoBuildInfo(binary)).toEqual({ goVersion: toolchain.version });
    }, 300_000);

    it('is found in the data segment too when the section headers are gone', async () => {
      const copy = Buffer.from(await fs.readFile(await buildFaultFixture(toolchain)));
      copy.writeBigUInt64LE(0n, 0x28); // e_shoff
      copy.writeUInt16LE(0, 0x3c); // e_shnum
      expect(await readGoBuildInfo(await file(`no-sections-${toolchain.label}`, copy))).toEqual({ goVersion: toolchain.version });
    }, 300_000);
  });

  it('finds the inline version in a .go.buildinfo section (64-bit LE and 32-bit BE)', async () => {
    const sections = [{ name: '.text', data: Buffer.alloc(40, 0x90) }, { name: '.go.buildinfo', data: blob('go1.22.5') }];
    expect(await readGoBuildInfo(await file('le64', elf({ sections })))).toEqual({ goVersion: 'go1.22.5' });
    expect(await readGoBuildInfo(await file('be32', elf({ is64: false, le: false, sections })))).toEqual({ goVersion: 'go1.22.5' });
  });

  it('reports an old pointer-based blob as Go with an unknown version', async () => {
    const path = await file('old', elf({ sections: [{ name: '.go.buildinfo', data: blob(undefined) }] }));
    expect(await readGoBuildInfo(path)).toEqual({ goVersion: undefined });
  });

  it('without section headers, scans the first writable non-exec segment at 16-byte alignment', async () => {
    const misaligned = Buffer.concat([Buffer.alloc(3), blob('go0.bad')]);
    const data = Buffer.concat([misaligned, Buffer.alloc(16 - (misaligned.length % 16)), Buffer.alloc(70_000), blob('go1.21.0')]);
    const path = await file('stripped', elf({ segments: [{ flags: RX, data: blob('go0.text') }, { flags: RW, data }] }));
    expect(await readGoBuildInfo(path)).toEqual({ goVersion: 'go1.21.0' });
  });

  it('says "not Go" for a C binary, garbage, an empty file and a truncated ELF', async () => {
    expect(await readGoBuildInfo('/bin/ls')).toBeUndefined();
    expect(await readGoBuildInfo(await file('garbage', Buffer.from('#!/bin/sh\necho hello\n'.repeat(100))))).toBeUndefined();
    expect(await readGoBuildInfo(await file('empty', Buffer.alloc(0)))).toBeUndefined();
    expect(await readGoBuildInfo(await file('truncated', readFileSync('/bin/ls').subarray(0, 100)))).toBeUndefined();
    const noMagic = elf({ sections: [{ name: '.go.buildinfo', data: Buffer.alloc(64, 7) }] });
    expect(await readGoBuildInfo(await file('no-magic', noMagic))).toBeUndefined();
  });

  it('rejects when the file cannot be opened, so "cannot know" differs from "not Go"', async () => {
    await expect(readGoBuildInfo(join(tree.root, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads a running process through /proc/<pid>/exe (this one is Node, not Go)', async () => {
    expect(await readGoBuildInfoOfPid(process.pid)).toBeUndefined();
  });
});
