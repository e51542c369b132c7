import "std/blocks"

/**
 * ResNet-18 with asymmetric convolution blocks (Ding, Guo, Ding & Han, "ACNet: Strengthening
 * the Kernel Skeletons for Powerful CNN via Asymmetric Convolution Blocks", ICCV 2019): every
 * 3x3 conv-BN of torchvision's `resnet18` basic blocks is an ACBlock, a 3x3, a 1x3 and a 3x1
 * conv-BN summed (std/blocks `ACBlock`); the 7x7 stem and the 1x1 shortcuts stay as they are.
 * After training each ACBlock fuses into one 3x3 conv with bias (`nas fuse`), and the
 * deployment network is ResNet-18 with its 3x3 convs' BNs folded: 11,685,672 parameters
 * (torchvision's 11,689,512 less one per folded BN channel) and its 1.814 GMACs at 224x224.
 * Reference implementations: torchvision/models/resnet.py; DingXiaoH/ACNet acb.py.
 */

/** torchvision's BasicBlock with ACBlocks for its two 3x3 conv-BNs. */
block ACBasicBlock(C: int, stride: int = 1) {
  input x
  main = x -> ACBlock(C, stride=stride) -> relu -> ACBlock(C)
  short = if stride != 1 or x.c != C then x -> conv(C, k=1, stride=stride) -> bn else x
  add(main, short) -> relu
}

network ACNetResNet18(classes: int = 1000) {
  input(3, 224, 224)

  # stem: 7x7/2 conv, 3x3/2 max pool -> 64 x 56 x 56
  conv(64, k=7, stride=2) -> bn -> relu
  maxpool(k=3, stride=2, pad=1)

  # four stages of two basic blocks
  ACBasicBlock(64) * 2                              #  64 x 56 x 56
  ACBasicBlock(128, stride=2) -> ACBasicBlock(128)  # 128 x 28 x 28
  ACBasicBlock(256, stride=2) -> ACBasicBlock(256)  # 256 x 14 x 14
  ACBasicBlock(512, stride=2) -> ACBasicBlock(512)  # 512 x  7 x  7

  # head
  gap -> fc(classes)
}
