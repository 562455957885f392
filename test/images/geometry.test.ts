import { describe, expect, it } from 'vitest';
import { centreCrop, resizedShape, roundHalfEven } from '../../src/images/geometry.js';

describe('geometry', () => {
  it('roundHalfEven rounds ties like Python round', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4, 2.6, -0.5, -1.5, -2.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3, -0, -2, -2]);
  });

  it('resizedShape matches torchvision Resize(int): shorter side fixed, longer truncated', () => {
    expect(resizedShape(640, 480, 256)).toEqual({ width: 341, height: 256 });
    expect(resizedShape(480, 640, 256)).toEqual({ width: 256, height: 341 });
    expect(resizedShape(100, 100, 28)).toEqual({ width: 28, height: 28 });
    expect(resizedShape(8000, 6000, 292)).toEqual({ width: 389, height: 292 });
  });

  it('centreCrop matches torchvision CenterCrop offsets', () => {
    expect(centreCrop(341, 256, 224)).toEqual({ left: 58, top: 16, width: 224, height: 224 });
    expect(centreCrop(35, 32, 32)).toEqual({ left: 2, top: 0, width: 32, height: 32 }); // round(1.5) = 2
    expect(centreCrop(33, 32, 32)).toEqual({ left: 0, top: 0, width: 32, height: 32 }); // round(0.5) = 0
    expect(centreCrop(37, 32, 32)).toEqual({ left: 2, top: 0, width: 32, height: 32 }); // round(2.5) = 2
  });
});
