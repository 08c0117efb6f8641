import { ARCHIVE_COLUMNS } from './columns.js';
import { parseArchiveCsv } from './csv.js';
import { validateArchive, type Archive } from './validate.js';

/** A small archive for tests: Chinese and Latin names, a customer with two meters, a meter without concentrator. */
export const SAMPLE_CSV = [
  ARCHIVE_COLUMNS.join(','),
  'C001,"上海华东电机有限公司, 二厂",KEY|TOP100,"浦东新区, 张江路 1 号",021-5555,李明,800,0.9,31.2,121.5,M001,T01,3P4W,380,1.5,80,1,secondary',
  'C001,"上海华东电机有限公司, 二厂",KEY|TOP100,"浦东新区, 张江路 1 号",021-5555,李明,800,0.9,31.2,121.5,M002,T01,3P3W,10000,1.5,20,100,secondary',
  'C002,Acme Bakery,LV_NONRES,Nanjing Road 5,,,,,,,M003,T02,3P4W,380,100,1,1,primary',
  'C003,张三,RESIDENTIAL,徐汇区,,,,,,,M004,,1P,220,60,1,1,primary',
].join('\r\n');

export function sampleArchive(csv = SAMPLE_CSV): Archive {
  const { rows, errors } = parseArchiveCsv(csv);
  const result = validateArchive(rows, errors);
  if (!result.ok) throw new Error(`bad fixture: ${JSON.stringify(result.errors)}`);
  return result.archive;
}
