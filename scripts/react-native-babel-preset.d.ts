/** React Native's Babel preset ships no types: Babel takes it as a preset, nothing more is used. */
declare module '@react-native/babel-preset' {
  const preset: object;
  export default preset;
}
