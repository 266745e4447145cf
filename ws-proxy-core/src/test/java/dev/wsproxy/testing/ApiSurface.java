package dev.wsproxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds where a module's public API exposes its internals: every public or protected member of a public type outside
 * {@code .internal} packages whose signature (parameter, return, field, exception, supertype or type argument)
 * names a type from a {@code dev.wsproxy...internal} package. The module is the directory or jar that holds
 * {@code anchor}'s class. Stateless.
 */
public final class ApiSurface {

    private ApiSurface() {
    }

    /** One line per leak, e.g. {@code dev.wsproxy.Foo#bar(...) exposes dev.wsproxy.internal.Baz}, sorted. */
    public static Set<String> internalTypesInPublicSignatures(Class<?> anchor) {
        Set<String> leaks = new TreeSet<>();
        for (Class<?> type : publicApiTypes(anchor)) {
            check(type.getName() + " extends", type.getGenericSuperclass(), leaks);
            for (Type implemented : type.getGenericInterfaces()) {
                check(type.getName() + " implements", implemented, leaks);
            }
            for (Field field : type.getDeclaredFields()) {
                if (visible(field)) {
                    check(type.getName() + "#" + field.getName(), field.getGenericType(), leaks);
                }
            }
            List<Executable> executables = new ArrayList<>(List.of(type.getDeclaredMethods()));
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                executables.add(constructor);
            }
            for (Executable executable : executables) {
                if (!visible(executable) || executable.isSynthetic()) {
                    continue;
                }
                String where = type.getName() + "#" + executable.getName() + "(...)";
                if (executable instanceof Method) {
                    check(where, ((Method) executable).getGenericReturnType(), leaks);
                }
                for (Type parameter : executable.getGenericParameterTypes()) {
                    check(where, parameter, leaks);
                }
                for (Type thrown : executable.getGenericExceptionTypes()) {
                    check(where, thrown, leaks);
                }
            }
        }
        return leaks;
    }

    /** The public types of the module outside {@code .internal} packages, nested ones included. */
    public static List<Class<?>> publicApiTypes(Class<?> anchor) {
        List<Class<?>> types = new ArrayList<>();
        for (String name : classNames(anchor)) {
            if (name.contains(".internal.") || name.endsWith("package-info") || name.endsWith("module-info")) {
                continue;
            }
            try {
                Class<?> type = Class.forName(name, false, anchor.getClassLoader());
                if (isPublicApi(type)) {
                    types.add(type);
                }
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load " + name + " from the module of " + anchor, e);
            }
        }
        return types;
    }

    private static boolean isPublicApi(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    private static boolean visible(Member member) {
        int modifiers = member.getModifiers();
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(String where, Type type, Set<String> leaks) {
        if (type == null) {
            return;
        }
        if (type instanceof Class<?>) {
            Class<?> raw = (Class<?>) type;
            while (raw.isArray()) {
                raw = raw.getComponentType();
            }
            if (raw.getName().startsWith("dev.wsproxy.") && raw.getName().contains(".internal.")) {
                leaks.add(where + " exposes " + raw.getName());
            }
        } else if (type instanceof ParameterizedType) {
            check(where, ((ParameterizedType) type).getRawType(), leaks);
            for (Type argument : ((ParameterizedType) type).getActualTypeArguments()) {
                check(where, argument, leaks);
            }
        } else if (type instanceof GenericArrayType) {
            check(where, ((GenericArrayType) type).getGenericComponentType(), leaks);
        } else if (type instanceof WildcardType) {
            Stream.concat(Stream.of(((WildcardType) type).getUpperBounds()),
                    Stream.of(((WildcardType) type).getLowerBounds())).forEach(t -> check(where, t, leaks));
        } else if (type instanceof TypeVariable<?>) {
            for (Type bound : ((TypeVariable<?>) type).getBounds()) {
                if (bound != type) {
                    check(where, bound, leaks);
                }
            }
        }
    }

    private static List<String> classNames(Class<?> anchor) {
        Path location;
        try {
            location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        try {
            if (Files.isDirectory(location)) {
                return namesUnder(location);
            }
            try (FileSystem jar = FileSystems.newFileSystem(location)) {
                return namesUnder(jar.getPath("/"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> namesUnder(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> root.relativize(f).toString().replace('/', '.').replace('\\', '.'))
                    .map(n -> n.substring(0, n.length() - ".class".length()))
                    .filter(n -> !n.startsWith("META-INF"))
                    .sorted()
                    .collect(Collectors.toList());
        }
    }
}
