// PROVISIONAL until language-server/protocol.ts lands: the shape the status bar expects.
import { RequestType } from 'vscode-languageclient/node';

export interface CostReportParams {
  textDocument: { uri: string };
}
export interface CostReportEntry {
  name: string;
  kind: 'network' | 'space';
  params?: number;
  macs?: number;
  flops?: number;
  architectures?: number;
  macsMin?: number;
  macsMax?: number;
  flopsMin?: number;
  flopsMax?: number;
  paramsMin?: number;
  paramsMax?: number;
}
export interface CostReport {
  uri: string;
  entries: CostReportEntry[];
}
export const CostReportRequest = new RequestType<CostReportParams, CostReport | null, void>('nas/costReport');
