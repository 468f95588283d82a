// UTF-8 both ways, by hand: the runtime's default string marshalling is ANSI
// on .NET Framework, and Marshal.PtrToStringUTF8 is missing from
// netstandard2.0.
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Motive
{
    internal static class Utf8
    {
        /// <summary>NUL-terminated UTF-8, or null for null (C's NULL).</summary>
        public static byte[] ToNative(string s)
        {
            if (s == null) return null;
            byte[] bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        /// <summary>A NUL-terminated C string; "" for NULL.</summary>
        public static string FromNative(IntPtr p)
        {
            if (p == IntPtr.Zero) return "";
            int n = 0;
            while (Marshal.ReadByte(p, n) != 0) ++n;
            return FromNative(p, n);
        }

        public static string FromNative(IntPtr p, int size)
        {
            if (p == IntPtr.Zero || size == 0) return "";
            byte[] bytes = new byte[size];
            Marshal.Copy(p, bytes, 0, size);
            return Encoding.UTF8.GetString(bytes);
        }
    }

    /// <summary>
    /// UTF-8 copies of strings in unmanaged memory, for the const char*
    /// fields of the structs given to the library; freed on Dispose.
    /// </summary>
    internal sealed class NativeStrings : IDisposable
    {
        private readonly System.Collections.Generic.List<IntPtr> allocated =
            new System.Collections.Generic.List<IntPtr>();

        public IntPtr Add(string s)
        {
            if (s == null) return IntPtr.Zero;
            byte[] bytes = Utf8.ToNative(s);
            IntPtr p = Marshal.AllocHGlobal(bytes.Length);
            allocated.Add(p);
            Marshal.Copy(bytes, 0, p, bytes.Length);
            return p;
        }

        public void Dispose()
        {
            foreach (IntPtr p in allocated) Marshal.FreeHGlobal(p);
            allocated.Clear();
        }
    }
}
