/** The /docs page's stylesheet (served from this origin: the CSP allows no inline style). */
export const DOCS_CSS = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
header { background: #1d2f4f; color: #fff; padding: 16px 32px; position: sticky; top: 0; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header a { color: #bcd3ff; }
main { max-width: 1100px; margin: 0 auto; padding: 8px 32px 64px; }
[id] { scroll-margin-top: 96px; }
h2 { border-bottom: 2px solid #1d2f4f; padding-bottom: 4px; margin-top: 40px; }
section.op, section.msg, section.component { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 8px 16px; margin: 12px 0; }
h3 { margin: 8px 0; font-size: 17px; }
h4 { margin: 8px 0 4px; font-size: 14px; color: #555; }
code { font: 13px ui-monospace, monospace; background: #eef1f5; padding: 1px 4px; border-radius: 3px; }
.method { display: inline-block; min-width: 60px; text-align: center; color: #fff; border-radius: 4px; font-size: 13px; padding: 2px 6px; }
.method.get { background: #2f7d32; } .method.put { background: #a86500; } .method.post { background: #1f5fbf; } .method.delete { background: #b3261e; }
table { border-collapse: collapse; width: 100%; margin: 4px 0; }
td { border-top: 1px solid #e6e9ee; padding: 4px 8px; vertical-align: top; }
td.status { font-weight: 600; width: 60px; }
td.s2 { color: #2f7d32; } td.s4 { color: #b3261e; } td.s5 { color: #7b1fa2; }
.opt { color: #778; font-size: 12px; font-weight: normal; }
.type { color: #445; font-size: 13px; }
.schema table.props { margin-left: 8px; }
ol.alts { margin: 4px 0; }
`;
