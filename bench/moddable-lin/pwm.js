// embedded:io/pwm for the lin measurement build (bench/moddable-lin.ts): the Linux host platform has no PWM.
export default class PWM {
  write() {}
  close() {}
}
