/** The value of one series (`name{labels}`) in a Prometheus text exposition; undefined when absent. */
export const seriesValue = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};
