// embedded:io/digital for the lin measurement build (bench/moddable-lin.ts): the Linux host platform has no GPIO; levels kept in memory.
export default class Digital {
  static Input = 0;
  static InputPullUp = 1;
  static InputPullDown = 2;
  static Output = 8;
  static OutputOpenDrain = 9;
  static Rising = 1;
  static Falling = 2;
  #level = 0;
  read() {
    return this.#level;
  }
  write(v) {
    this.#level = v ? 1 : 0;
  }
  close() {}
}
