/** The fleet as the archive file that loadwatch imports (one row per meter, customer columns repeated). */
import type { Fleet } from './fleet.js';

export const ARCHIVE_CSV_HEADERS = [
  'customer_id', 'customer_name', 'classes', 'address', 'phone', 'account_manager', 'contract_kva', 'pf_standard', 'lat', 'lon',
  'meter_id', 'concentrator_id', 'wiring', 'nominal_voltage_v', 'rated_current_a', 'ct_ratio', 'pt_ratio', 'values_side',
] as const;

export function archiveCsv(fleet: Fleet): string {
  const lines = [ARCHIVE_CSV_HEADERS.join(',')];
  for (const m of fleet.meters) {
    const c = fleet.customers[m.customerIndex];
    const cells = [
      c.id, c.name, c.classes.join('|'), c.address, c.phone, c.accountManager, c.contractKva, c.pfStandard, c.lat, c.lon,
      m.id, m.concentratorId, m.wiring, m.nominalVoltageV, m.ratedCurrentA, m.ctRatio, m.ptRatio, m.valuesSide,
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

// RFC 4180: quote a field holding a comma, quote or line break, and double its quotes.
function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
