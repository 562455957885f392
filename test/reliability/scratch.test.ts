import { writeFileSync, mkdirSync } from 'node:fs';
import { test } from 'vitest';
import { tinyCnn, matmulModel, twoInputModel, unknownOpModel, nanBranchModel } from './helpers.js';
test('gen', () => {
  const d = '/tmp/eqp';
  mkdirSync(d, { recursive: true });
  writeFileSync(`${d}/tiny.onnx`, tinyCnn().toBytes());
  writeFileSync(`${d}/tiny1x.onnx`, tinyCnn({batch: 1}).toBytes());
  writeFileSync(`${d}/tiny3.onnx`, tinyCnn({channels: 3}).toBytes());
  writeFileSync(`${d}/nonsq.onnx`, tinyCnn({channels: 3, height: 16, width: 24}).toBytes());
  writeFileSync(`${d}/dyn.onnx`, tinyCnn({height: 'H', width: 'W'}).toBytes());
  writeFileSync(`${d}/opset99.onnx`, tinyCnn().toBytes(99));
  writeFileSync(`${d}/matmul.onnx`, matmulModel());
  writeFileSync(`${d}/two.onnx`, twoInputModel());
  writeFileSync(`${d}/foobar.onnx`, unknownOpModel());
  writeFileSync(`${d}/nan.onnx`, nanBranchModel());
});
