/**
 * SoftEther packet-log parsing speed: 100,000 `pkt_*.log` rows through the
 * stream parser, as a ratio to the floor of splitting the same rows on commas.
 */
import { createSoftetherParser } from '../src/sources/softether/parser.ts';
import { type BenchReport, ratioOf } from './harness.ts';

const ROWS = 100_000;

/** Realistic rows: TCP connection, DHCP and ARP rows, 18 and 16 columns, advancing time. */
function packetRows(count: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    const second = Math.floor(i / 50);
    const time = `${String(9 + (Math.floor(second / 3600) % 10)).padStart(2, '0')}:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}`;
    const port = 40000 + (i % 20000);
    switch (i % 4) {
      case 0:
        rows.push(
          `2025-03-01,${time},SID-ALICE-1,SID-LOCALBRIDGE-1,5E1A2B3C4D5E,0050569A1B2C,0x0800,66,TCP_CONNECTv4,SYN,192.168.30.10,${port},192.168.30.5,https(443),${1029384756 + i},0,WindowSize=64240,-,198.51.100.7,-`,
        );
        break;
      case 1:
        rows.push(
          `2025-03-01,${time},SID-LOCALBRIDGE-1,SID-ALICE-1,0050569A1B2C,5E1A2B3C4D5E,0x0800,66,TCP_CONNECTv4,SYN+ACK,192.168.30.5,https(443),192.168.30.10,${port},3141592653,${1029384757 + i},WindowSize=65535,-,-,198.51.100.7`,
        );
        break;
      case 2:
        rows.push(
          `2025-03-01,${time},SID-ALICE-1,SID-SECURENAT-1,5E1A2B3C4D5E,00AC12345678,0x0800,342,DHCPv4,Request,0.0.0.0,bootpc(68),255.255.255.255,bootps(67),-,-,TransactionId=${i} ClientIP=0.0.0.0 YourIP=0.0.0.0 ServerIP=0.0.0.0 RelayIP=0.0.0.0,-,198.51.100.7,-`,
        );
        break;
      default:
        rows.push(
          `2025-03-01,${time},SID-BOB-40,-,5E1A2B3C4D5F,FFFFFFFFFFFF,0x0806,60,ARPv4,Request,-,-,-,-,-,-,Who has 192.168.30.1? Please Tell 192.168.30.10(5E-1A-2B-3C-4D-5F),-`,
        );
    }
  }
  return rows;
}

/** Runs the benchmark (see bench/harness.ts). */
export async function run(): Promise<BenchReport> {
  const rows = packetRows(ROWS);
  let sink = 0;
  const parse = () => {
    const parser = createSoftetherParser({
      stream: 'packet_log/DEFAULT/pkt_20250301',
      timeZone: 'Asia/Tokyo',
    });
    for (let i = 0; i < rows.length; i++) {
      const event = parser.parse(rows[i] ?? '', {
        origin: { file: 'pkt_20250301.log', line: i + 1 },
      });
      if (event.category === 'packet.record') sink++;
    }
  };
  const split = () => {
    for (const row of rows) sink += row.split(',').length;
  };
  const { subjectMs, floorMs, ratio } = await ratioOf(parse, split, { rounds: 7, warmup: 2 });
  if (sink === 0) throw new Error('packet-log bench: nothing parsed');
  return {
    title: `SoftEther packet log: ${ROWS.toLocaleString('en-US')} rows`,
    figures: [
      { label: 'rows parsed per second', value: (ROWS / subjectMs) * 1000, unit: 'rows/s' },
      { label: 'CSV split floor, rows per second', value: (ROWS / floorMs) * 1000, unit: 'rows/s' },
      { label: 'parse time / plain CSV split time', value: ratio, unit: 'x', target: { max: 2.5 } },
    ],
  };
}
