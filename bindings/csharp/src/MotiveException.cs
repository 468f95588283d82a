using System;

namespace Motive
{
    /// <summary>
    /// A call into libmotive failed: <see cref="Code"/> is its status and
    /// the message is mot_error_last()'s, which names the offending field,
    /// line or argument.
    /// </summary>
    public class MotiveException : Exception
    {
        public MotiveException(Status code, string message)
            : base(message)
        {
            Code = code;
        }

        /// <summary>The MOT_E* status the library returned.</summary>
        public Status Code { get; private set; }

        /// <summary>Throws for a status other than MOT_OK, with the calling
        /// thread's last error message.</summary>
        internal static void Check(int status)
        {
            if (status != 0) throw FromStatus(status);
        }

        internal static MotiveException FromStatus(int status)
        {
            string message = Utf8.FromNative(Native.mot_error_last());
            if (message.Length == 0) message = Utf8.FromNative(Native.mot_strerror(status));
            return new MotiveException((Status)status, message);
        }
    }
}
