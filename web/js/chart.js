export function lineChart() {}
