/** Where a figure's files go, relative to the report; the report links the same paths. */
export function figurePaths(id: string): { spec: string; svg: string; pdf: string; png: string } {
  return { spec: `figures/${id}.vl.json`, svg: `figures/${id}.svg`, pdf: `figures/${id}.pdf`, png: `figures/${id}.png` };
}
