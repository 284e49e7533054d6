import type { AnalysisResult, ConnectionReport } from '../model/types.js';
import { ProblemGroups, type GroupBy, type ProblemGroup } from './groups.js';
import { hasNews, isFailed, type ResultSummary } from './outcome.js';

export interface CollectOptions {
  /** Also show connections that succeeded with nothing to report. */
  all: boolean;
  /** At most this many connections in detail. */
  limit: number;
  groupBy?: GroupBy;
}

/**
 * What text, markdown and HTML reports print, gathered one connection at a time — the same counts and the same
 * choice of connections for all three, and memory that does not grow with the capture: counts, the problem
 * groups (bounded), and at most `limit` connections of each kind (failed examples, failed repeats, others).
 */
export class ReportCollector {
  total = 0;
  failed = 0;
  /** Connections worth a section: failed ones, then successful ones with news (all with `all`). */
  candidates = 0;
  /** TLS connections and failed ones per capture file. */
  readonly byFile = new Map<string, { connections: number; failed: number }>();
  private readonly outcomes = new Map<string, number>();
  private readonly findings = new Map<string, number>();
  private readonly problems: ProblemGroups;
  private readonly examples: ConnectionReport[] = [];
  private readonly repeats: ConnectionReport[] = [];
  private readonly others: ConnectionReport[] = [];

  constructor(readonly options: CollectOptions) {
    this.problems = new ProblemGroups(options.groupBy);
  }

  add(c: ConnectionReport): void {
    this.total++;
    const failed = isFailed(c);
    const file = this.byFile.get(c.file) ?? { connections: 0, failed: 0 };
    file.connections++;
    if (failed) file.failed++;
    this.byFile.set(c.file, file);
    this.outcomes.set(c.outcome, (this.outcomes.get(c.outcome) ?? 0) + 1);
    for (const id of new Set(c.findings.map((f) => f.id))) this.findings.set(id, (this.findings.get(id) ?? 0) + 1);
    // Each problem group's first connection is shown before any second one of a group.
    const example = this.problems.add(c);
    const limit = this.options.limit;
    if (failed) {
      this.failed++;
      this.candidates++;
      const list = example ? this.examples : this.repeats;
      if (list.length < limit) list.push(c);
    } else if (this.options.all || hasNews(c)) {
      this.candidates++;
      if (this.others.length < limit) this.others.push(c);
    }
  }

  /** The connections shown in detail, in order. */
  shown(): ConnectionReport[] {
    return [...this.examples, ...this.repeats, ...this.others].slice(0, this.options.limit);
  }

  /** Worth a section but beyond the limit. */
  notShown(): number {
    return this.candidates - this.shown().length;
  }

  /** Successful connections without news, left out without --all. */
  hidden(): number {
    return this.total - this.candidates;
  }

  /** The counts of summarize() (src/report/outcome.ts). */
  summary(): ResultSummary {
    const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return { connections: this.total, failed: this.failed, byOutcome: sorted(this.outcomes), byFinding: sorted(this.findings) };
  }

  problemRows(): ProblemGroup[] {
    return this.problems.rows();
  }
}

/** A report fed one connection at a time (markdown, HTML): its collector holds what it will print. */
export abstract class CollectingReport<O extends CollectOptions> {
  protected readonly collected: ReportCollector;

  constructor(protected readonly options: O) {
    this.collected = new ReportCollector(options);
  }

  add(c: ConnectionReport): void {
    this.collected.add(c);
  }

  /** The report, once every connection was added. */
  abstract render(facts: Pick<AnalysisResult, 'files' | 'warnings'>): string;
}
