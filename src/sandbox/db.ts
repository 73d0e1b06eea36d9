/** The smallest database interface the sandbox needs; `pg.Client` satisfies it. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}
