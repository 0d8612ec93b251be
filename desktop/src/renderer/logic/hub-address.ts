/** `10.0.0.5:4300` is as good as `http://10.0.0.5:4300`: a venue tech types what the hub's page shows. */
export function normaliseHubAddress(input: string): string {
  const trimmed = input.trim();
  return /^https?:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}
