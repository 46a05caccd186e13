/** A small Dockerfile reader for tests: instructions per stage, continuations joined, comments dropped. */
export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

export const parseDockerfile = (text: string): Stage[] => {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${current}${line}`.trim());
    current = '';
  }
  if (current !== '') logical.push(current.trim());
  const stages: { from: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (m === null) continue;
    const keyword = (m[1] ?? '').toUpperCase();
    const args = m[2] ?? '';
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ from: from?.[1] ?? args, name: from?.[2], instructions: [] });
    } else {
      const stage = stages[stages.length - 1];
      if (stage === undefined) throw new Error(`${keyword} before any FROM`);
      stage.instructions.push({ keyword, args });
    }
  }
  return stages;
};

/** The exec form (`["node", "x.js"]`) of CMD, ENTRYPOINT or HEALTHCHECK ... CMD, or undefined for the shell form. */
export const execForm = (args: string): string[] | undefined => {
  const json = args.trim();
  if (!json.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
};
