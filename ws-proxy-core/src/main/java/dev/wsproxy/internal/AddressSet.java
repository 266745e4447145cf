package dev.wsproxy.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A set of IP addresses and CIDR blocks ({@code 10.0.0.5}, {@code 10.0.0.0/8}, {@code ::1},
 * {@code fd00::/8}), used for trusted proxies. Only literals are accepted: nothing is ever resolved through
 * DNS. IPv4 and IPv6 never match each other, except that an IPv4-mapped IPv6 peer address
 * ({@code ::ffff:10.0.0.5}) is compared as IPv4. Immutable and thread-safe.
 */
public final class AddressSet {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final List<byte[]> networks;
    private final int[] prefixLengths;

    private AddressSet(List<byte[]> networks, int[] prefixLengths) {
        this.networks = networks;
        this.prefixLengths = prefixLengths;
    }

    /**
     * Parses the entries.
     *
     * @throws IllegalArgumentException naming the first entry that is not an IP literal or CIDR block
     */
    public static AddressSet parse(List<String> entries) {
        List<byte[]> networks = new ArrayList<>();
        int[] lengths = new int[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i) == null ? "" : entries.get(i).trim();
            int slash = entry.indexOf('/');
            byte[] address = literal(slash < 0 ? entry : entry.substring(0, slash));
            int length = address == null ? -1 : address.length * 8;
            if (address != null && slash >= 0) {
                try {
                    length = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    length = -1;
                }
            }
            if (address == null || length < 0 || length > address.length * 8) {
                throw new IllegalArgumentException("trustedProxies entry '" + HandshakeValidator.printable(
                        String.valueOf(entries.get(i))) + "' is not an IP address or CIDR block"
                        + " (use e.g. \"10.0.0.7\", \"10.0.0.0/8\" or \"fd00::/8\"; host names are not resolved)");
            }
            networks.add(address);
            lengths[i] = length;
        }
        return new AddressSet(List.copyOf(networks), lengths);
    }

    /** Whether {@code address} (an IP literal, optionally in brackets) is in the set; false if unparseable. */
    public boolean contains(String address) {
        if (networks.isEmpty() || address == null) {
            return false;
        }
        String bare = address.trim();
        if (bare.startsWith("[") && bare.endsWith("]")) {
            bare = bare.substring(1, bare.length() - 1);
        }
        byte[] candidate = literal(bare);
        if (candidate == null) {
            return false;
        }
        for (int i = 0; i < networks.size(); i++) {
            if (matches(networks.get(i), prefixLengths[i], candidate)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    private static boolean matches(byte[] network, int length, byte[] candidate) {
        if (network.length != candidate.length) {
            return false;
        }
        for (int bit = 0; bit < length; bit++) {
            int mask = 0x80 >> (bit % 8);
            if ((network[bit / 8] & mask) != (candidate[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** The bytes of an IPv4 or IPv6 literal (IPv4-mapped IPv6 as 4 bytes), or {@code null}; no DNS. */
    private static byte[] literal(String text) {
        if (IPV4.matcher(text).matches()) {
            String[] parts = text.split("\\.");
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(parts[i]);
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            return bytes;
        }
        if (text.indexOf(':') < 0) {
            return null;
        }
        try {
            // With a ':' the JDK parses an IPv6 literal and never looks it up (invalid ones throw).
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }
}
